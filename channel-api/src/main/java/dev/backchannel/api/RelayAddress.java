package dev.backchannel.api;

import dev.backchannel.api.error.MalformedInputException;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The address of a relay with its pinned key: {@code bcr://<key hash>@host:port}, where the key
 * hash is the unpadded base64url encoding of the SHA-256 of the relay's public key (its DER
 * SubjectPublicKeyInfo). A client refuses any relay whose key does not hash to this value.
 *
 * <p>Immutable and validated on construction; {@link #toString()} gives the canonical form that
 * {@link #parse} reads back.
 *
 * @param keyHash base64url (no padding) SHA-256 of the relay's public key: 43 characters
 * @param host host name or IPv4 address (IPv6 in brackets is not supported in version 1)
 * @param port TCP port, 1..65535
 * @since 0.1
 */
public record RelayAddress(String keyHash, String host, int port) {
  /** The URI scheme of relay addresses. */
  public static final String SCHEME = "bcr://";
  /** Length of the key hash in base64url characters (32 bytes, no padding). */
  public static final int KEY_HASH_CHARS = 43;
  /** Longest host name accepted (DNS limit). */
  public static final int MAX_HOST_LENGTH = 253;

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
  private static final Pattern HASH = Pattern.compile("[A-Za-z0-9_-]{43}");

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException naming the component and the rule it breaks
   */
  public RelayAddress {
    Objects.requireNonNull(keyHash, "keyHash");
    Objects.requireNonNull(host, "host");
    if (!HASH.matcher(keyHash).matches() || decode(keyHash) == null) {
      throw new IllegalArgumentException(
          "relay key hash must be 43 base64url characters (SHA-256, no padding)");
    }
    if (host.isEmpty() || host.length() > MAX_HOST_LENGTH || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException(
          "relay host must be 1.." + MAX_HOST_LENGTH + " characters of letters, digits, '.' and '-'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("relay port must be 1..65535, got " + port);
    }
  }

  /**
   * Makes an address from the 32-byte SHA-256 of the relay's public key.
   *
   * @throws IllegalArgumentException if a component is invalid
   */
  public static RelayAddress of(byte[] keySha256, String host, int port) {
    if (keySha256 == null || keySha256.length != 32) {
      throw new IllegalArgumentException("relay key hash must be 32 bytes");
    }
    return new RelayAddress(
        Base64.getUrlEncoder().withoutPadding().encodeToString(keySha256), host, port);
  }

  /**
   * Parses {@code bcr://<key hash>@host:port}.
   *
   * @throws MalformedInputException if the text is not such an address; the message says which
   *     part is wrong
   */
  public static RelayAddress parse(String text) throws MalformedInputException {
    if (text == null) {
      throw new MalformedInputException("relay address is missing");
    }
    String t = text.strip();
    if (!t.startsWith(SCHEME)) {
      throw new MalformedInputException("relay address must start with " + SCHEME);
    }
    String rest = t.substring(SCHEME.length());
    int at = rest.indexOf('@');
    int colon = rest.lastIndexOf(':');
    if (at < 0 || colon < at) {
      throw new MalformedInputException("relay address must look like bcr://<key hash>@host:port");
    }
    String portText = rest.substring(colon + 1);
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new MalformedInputException("relay address has an invalid port");
    }
    try {
      return new RelayAddress(rest.substring(0, at), rest.substring(at + 1, colon), port);
    } catch (IllegalArgumentException e) {
      throw new MalformedInputException("invalid relay address: " + e.getMessage());
    }
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

  /** The canonical text form {@code bcr://<key hash>@host:port}. */
  @Override
  public String toString() {
    return SCHEME + keyHash + "@" + host + ":" + port;
  }
}
