package dev.backchannel.api;

import dev.backchannel.api.error.MalformedInputException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The address of a relay with its pinned key: {@code bcr://<key hash>@host:port}, or, for several
 * nodes that share one relay key (a relay cluster), {@code bcr://<key hash>@host1:port1,host2:port2}.
 * The key hash is the unpadded base64url encoding of the SHA-256 of the relay's public key (its
 * DER SubjectPublicKeyInfo). A client refuses any relay whose key does not hash to this value,
 * whichever endpoint it reached; it tries the endpoints in the order given.
 *
 * <p>Immutable and validated on construction: 1..{@value #MAX_ENDPOINTS} distinct endpoints and
 * at most {@value #MAX_TEXT_LENGTH} characters of text. {@link #toString()} gives the canonical
 * form that {@link #parse} reads back; an address with one endpoint prints exactly as in version 1.
 *
 * @param keyHash base64url (no padding) SHA-256 of the relay's public key: 43 characters
 * @param endpoints where the relay's nodes listen, in the order clients try them
 * @since 0.1
 */
public record RelayAddress(String keyHash, List<Endpoint> endpoints) {
  /** The URI scheme of relay addresses. */
  public static final String SCHEME = "bcr://";
  /** Length of the key hash in base64url characters (32 bytes, no padding). */
  public static final int KEY_HASH_CHARS = 43;
  /** Longest host name accepted (DNS limit). */
  public static final int MAX_HOST_LENGTH = 253;
  /** Most endpoints in one address. */
  public static final int MAX_ENDPOINTS = 8;
  /** Longest text form, scheme and key hash included. */
  public static final int MAX_TEXT_LENGTH = 1024;

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
  private static final Pattern HASH = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");

  /**
   * One place where a node of the relay listens: a host name or IPv4 address (IPv6 in brackets
   * is not supported) and a TCP port. Immutable; {@link #toString()} is {@code host:port}.
   *
   * @param host 1..253 characters of letters, digits, {@code .} and {@code -}, starting and
   *     ending with a letter or digit
   * @param port 1..65535
   * @since 0.2
   */
  public record Endpoint(String host, int port) {
    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException naming the component and the rule it breaks
     */
    public Endpoint {
      Objects.requireNonNull(host, "host");
      if (host.isEmpty() || host.length() > MAX_HOST_LENGTH || !HOST.matcher(host).matches()) {
        throw new IllegalArgumentException(
            "relay host must be 1.." + MAX_HOST_LENGTH + " characters of letters, digits, '.' and '-'");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("relay port must be 1..65535, got " + port);
      }
    }

    /**
     * Parses {@code host:port}; the port is 1..5 ASCII digits without sign or leading zero.
     *
     * @throws MalformedInputException naming what is wrong
     */
    public static Endpoint parse(String text) throws MalformedInputException {
      Objects.requireNonNull(text, "text");
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new MalformedInputException("a relay endpoint must look like host:port");
      }
      String portText = text.substring(colon + 1);
      if (!PORT.matcher(portText).matches() || Integer.parseInt(portText) > 65535) {
        throw new MalformedInputException(
            "relay port must be 1..65535, written in decimal without sign or leading zero");
      }
      try {
        return new Endpoint(text.substring(0, colon), Integer.parseInt(portText));
      } catch (IllegalArgumentException e) {
        throw new MalformedInputException("invalid relay endpoint: " + e.getMessage());
      }
    }

    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /**
   * Validates the components and copies the list.
   *
   * @throws IllegalArgumentException naming the component and the rule it breaks
   */
  public RelayAddress {
    Objects.requireNonNull(keyHash, "keyHash");
    Objects.requireNonNull(endpoints, "endpoints");
    if (!HASH.matcher(keyHash).matches() || decode(keyHash) == null) {
      throw new IllegalArgumentException(
          "relay key hash must be 43 base64url characters (SHA-256, no padding)");
    }
    endpoints = List.copyOf(endpoints); // also refuses null elements
    if (endpoints.isEmpty() || endpoints.size() > MAX_ENDPOINTS) {
      throw new IllegalArgumentException(
          "a relay address lists 1.." + MAX_ENDPOINTS + " endpoints, got " + endpoints.size());
    }
    Set<String> seen = new HashSet<>();
    int length = SCHEME.length() + KEY_HASH_CHARS + 1 + endpoints.size() - 1;
    for (Endpoint e : endpoints) {
      if (!seen.add(e.host().toLowerCase(Locale.ROOT) + ":" + e.port())) {
        throw new IllegalArgumentException("relay endpoint " + e + " is listed twice");
      }
      length += e.toString().length();
    }
    if (length > MAX_TEXT_LENGTH) {
      throw new IllegalArgumentException(
          "a relay address is at most " + MAX_TEXT_LENGTH + " characters, this one would be " + length);
    }
  }

  /**
   * An address with one endpoint (the version 1 form).
   *
   * @throws IllegalArgumentException if a component is invalid
   */
  public RelayAddress(String keyHash, String host, int port) {
    this(keyHash, List.of(new Endpoint(host, port)));
  }

  /**
   * Makes an address from the 32-byte SHA-256 of the relay's public key.
   *
   * @throws IllegalArgumentException if a component is invalid
   */
  public static RelayAddress of(byte[] keySha256, String host, int port) {
    return of(keySha256, List.of(new Endpoint(host, port)));
  }

  /**
   * Makes an address with several endpoints from the 32-byte SHA-256 of the relay's public key.
   *
   * @throws IllegalArgumentException if a component is invalid
   */
  public static RelayAddress of(byte[] keySha256, List<Endpoint> endpoints) {
    if (keySha256 == null || keySha256.length != 32) {
      throw new IllegalArgumentException("relay key hash must be 32 bytes");
    }
    return new RelayAddress(Base64.getUrlEncoder().withoutPadding().encodeToString(keySha256), endpoints);
  }

  /**
   * Parses {@code bcr://<key hash>@host:port[,host:port…]}. Leading and trailing whitespace is
   * stripped; nothing else is forgiven (ports are 1..5 digits without sign or leading zero).
   *
   * @throws MalformedInputException if the text is not such an address; the message says which
   *     part is wrong
   */
  public static RelayAddress parse(String text) throws MalformedInputException {
    if (text == null) {
      throw new MalformedInputException("relay address is missing");
    }
    String t = text.strip();
    if (t.length() > MAX_TEXT_LENGTH) {
      throw new MalformedInputException("a relay address is at most " + MAX_TEXT_LENGTH + " characters");
    }
    if (!t.startsWith(SCHEME)) {
      throw new MalformedInputException("relay address must start with " + SCHEME);
    }
    String rest = t.substring(SCHEME.length());
    int at = rest.indexOf('@');
    if (at < 0) {
      throw new MalformedInputException("relay address must look like bcr://<key hash>@host:port");
    }
    List<Endpoint> endpoints = parseEndpoints(rest.substring(at + 1));
    try {
      return new RelayAddress(rest.substring(0, at), endpoints);
    } catch (IllegalArgumentException e) {
      throw new MalformedInputException("invalid relay address: " + e.getMessage());
    }
  }

  /**
   * Parses a list of endpoints {@code host:port[,host:port…]} (what an operator advertises):
   * 1..{@value #MAX_ENDPOINTS} of them, distinct, no empty entry, no whitespace.
   *
   * @throws MalformedInputException naming what is wrong
   */
  public static List<Endpoint> parseEndpoints(String text) throws MalformedInputException {
    if (text == null || text.isEmpty()) {
      throw new MalformedInputException("no relay endpoint given (host:port[,host:port…])");
    }
    if (text.length() > MAX_TEXT_LENGTH) {
      throw new MalformedInputException("a relay endpoint list is at most " + MAX_TEXT_LENGTH + " characters");
    }
    String[] parts = text.split(",", -1);
    if (parts.length > MAX_ENDPOINTS) {
      throw new MalformedInputException(
          "a relay address lists at most " + MAX_ENDPOINTS + " endpoints, got " + parts.length);
    }
    List<Endpoint> out = new ArrayList<>(parts.length);
    Set<String> seen = new HashSet<>();
    for (String p : parts) {
      if (p.isEmpty()) {
        throw new MalformedInputException("a relay endpoint list has an empty entry");
      }
      Endpoint e = Endpoint.parse(p);
      if (!seen.add(e.host().toLowerCase(Locale.ROOT) + ":" + e.port())) {
        throw new MalformedInputException("relay endpoint " + e + " is listed twice");
      }
      out.add(e);
    }
    return List.copyOf(out);
  }

  /** The host of the first endpoint (the only one of a version 1 address). */
  public String host() {
    return endpoints.get(0).host();
  }

  /** The port of the first endpoint (the only one of a version 1 address). */
  public int port() {
    return endpoints.get(0).port();
  }

  /** The 32-byte SHA-256 of the relay's public key (a copy). */
  public byte[] keySha256() {
    return decode(keyHash);
  }

  private static byte[] decode(String hash) {
    try {
      byte[] b = Base64.getUrlDecoder().decode(hash);
      // Canonical only: the two spare bits of the last character must be zero.
      boolean canonical =
          b.length == 32 && Base64.getUrlEncoder().withoutPadding().encodeToString(b).equals(hash);
      return canonical ? b : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The endpoints as written in the address: {@code host:port[,host:port…]}. */
  public String endpointList() {
    StringBuilder s = new StringBuilder();
    for (Endpoint e : endpoints) {
      if (s.length() > 0) {
        s.append(',');
      }
      s.append(e);
    }
    return s.toString();
  }

  /** The canonical text form {@code bcr://<key hash>@host:port[,host:port…]}. */
  @Override
  public String toString() {
    return SCHEME + keyHash + "@" + endpointList();
  }
}
