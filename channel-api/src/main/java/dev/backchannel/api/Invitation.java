package dev.backchannel.api;

import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.InvalidInvitationException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * An invitation to open a conversation: what travels out of band (a chat message, a QR code, a
 * piece of paper) from the inviter to the invitee.
 *
 * <p>It holds the relay address with its pinned key, the inviter's identity fingerprint, a
 * 32-byte invitation secret and an expiry. The compact string form ({@link #toCompactString()},
 * {@link #parse}) is {@code bc1-} followed by unpadded base64url of the binary form and a 4-byte
 * checksum; it is about 160 characters for a relay host of 10 characters. A mistyped or
 * truncated code fails the checksum and is reported as {@link Reason#CHECKSUM}, never as a
 * crash. An invitation to a relay with one endpoint is written in the version 1 layout, byte for
 * byte as before; one to a relay cluster ({@link RelayAddress#endpoints()}, 2..8 of them) in
 * version 2, which carries the whole list. Both are read. See {@code docs/PROTOCOL.md}, section
 * "Invitations", for the byte layouts.
 *
 * <p>The invitation secret lets whoever holds the invitation open the inviter's sealed prekey
 * bundle and reach the inviter once: treat the string as confidential. {@link #toString()} never
 * shows the secret. Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class Invitation {
  /** The version written for a relay with one endpoint (the version 1 layout, unchanged). */
  public static final int VERSION = 1;
  /** The version written for a relay address with 2..8 endpoints. */
  public static final int VERSION_ENDPOINTS = 2;
  /** Prefix of the compact string form. */
  public static final String PREFIX = "bc1-";
  /** Length of the invitation secret and of the inviter fingerprint. */
  public static final int SECRET_LENGTH = 32;

  private static final int CHECKSUM_LENGTH = 4;
  /** The latest expiry a parsed invitation may carry: 9999-12-31T23:59:59Z. */
  private static final long MAX_EXPIRY_SECONDS = 253_402_300_799L;
  private static final int FIXED_LENGTH = 1 + 32 + 32 + SECRET_LENGTH + 8 + 2 + 1;
  private static final byte[] CHECKSUM_LABEL =
      "Backchannel-v1 invitation checksum".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RelayAddress relay;
  private final byte[] inviterFingerprint;
  private final byte[] secret;
  private final Instant expiresAt;

  private Invitation(RelayAddress relay, byte[] inviterFingerprint, byte[] secret, Instant expiresAt) {
    this.relay = relay;
    this.inviterFingerprint = inviterFingerprint;
    this.secret = secret;
    this.expiresAt = expiresAt;
  }

  /**
   * Makes an invitation with a fresh random secret.
   *
   * @param relay the relay where the inviter's sealed bundle waits
   * @param inviterFingerprint the inviter's 32-byte identity fingerprint
   * @param expiresAt when the invitation stops being valid (whole seconds are kept)
   * @throws IllegalArgumentException if the fingerprint is not 32 bytes
   */
  public static Invitation create(RelayAddress relay, byte[] inviterFingerprint, Instant expiresAt) {
    byte[] secret = new byte[SECRET_LENGTH];
    RANDOM.nextBytes(secret);
    return of(relay, inviterFingerprint, secret, expiresAt);
  }

  /**
   * Makes an invitation from all its parts (the runtime uses this; applications use
   * {@code Peer.createInvitation}).
   *
   * @throws IllegalArgumentException if the fingerprint or the secret is not 32 bytes, or the
   *     relay host is longer than 255 bytes
   */
  public static Invitation of(
      RelayAddress relay, byte[] inviterFingerprint, byte[] secret, Instant expiresAt) {
    Objects.requireNonNull(relay, "relay");
    Objects.requireNonNull(expiresAt, "expiresAt");
    if (inviterFingerprint == null || inviterFingerprint.length != 32) {
      throw new IllegalArgumentException("inviter fingerprint must be 32 bytes");
    }
    if (secret == null || secret.length != SECRET_LENGTH) {
      throw new IllegalArgumentException("invitation secret must be 32 bytes");
    }
    return new Invitation(
        relay,
        inviterFingerprint.clone(),
        secret.clone(),
        Instant.ofEpochSecond(expiresAt.getEpochSecond()));
  }

  /**
   * Parses a compact string and checks that it has not expired.
   *
   * @throws InvalidInvitationException with reason MALFORMED, CHECKSUM, VERSION or EXPIRED
   */
  public static Invitation parse(String text) throws InvalidInvitationException {
    return parse(text, Instant.now());
  }

  /**
   * Parses a compact string and checks that it has not expired at {@code now}.
   *
   * @throws InvalidInvitationException with reason MALFORMED, CHECKSUM, VERSION or EXPIRED
   */
  public static Invitation parse(String text, Instant now) throws InvalidInvitationException {
    if (text == null) {
      throw new InvalidInvitationException(Reason.MALFORMED, "no invitation given");
    }
    String t = text.strip();
    if (!t.startsWith(PREFIX)) {
      throw new InvalidInvitationException(
          Reason.MALFORMED, "not a Backchannel invitation: it must start with '" + PREFIX + "'");
    }
    byte[] all;
    String body = t.substring(PREFIX.length());
    try {
      all = Base64.getUrlDecoder().decode(body);
      if (!Base64.getUrlEncoder().withoutPadding().encodeToString(all).equals(body)) {
        // Padding, or spare bits set in the last character: not a code this class wrote.
        throw new IllegalArgumentException("non-canonical base64url");
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidInvitationException(
          Reason.CHECKSUM, "the invitation contains characters that do not belong: was it mistyped?");
    }
    if (all.length < FIXED_LENGTH + 1 + CHECKSUM_LENGTH) {
      throw new InvalidInvitationException(
          Reason.CHECKSUM, "the invitation is too short: was it cut off or mistyped?");
    }
    byte[] payload = Arrays.copyOf(all, all.length - CHECKSUM_LENGTH);
    byte[] checksum = Arrays.copyOfRange(all, all.length - CHECKSUM_LENGTH, all.length);
    if (!MessageDigest.isEqual(checksum(payload), checksum)) {
      throw new InvalidInvitationException(
          Reason.CHECKSUM, "the invitation's checksum does not match: it was mistyped or changed");
    }
    int version = payload[0] & 0xff;
    if (version != VERSION && version != VERSION_ENDPOINTS) {
      throw new InvalidInvitationException(
          Reason.VERSION,
          "the invitation has version " + version + "; this version reads " + VERSION + " and "
              + VERSION_ENDPOINTS);
    }
    ByteBuffer in = ByteBuffer.wrap(payload, 1, payload.length - 1);
    byte[] relayKey = new byte[32];
    byte[] fingerprint = new byte[32];
    byte[] secret = new byte[SECRET_LENGTH];
    in.get(relayKey).get(fingerprint).get(secret);
    long expiry = in.getLong();
    RelayAddress relay = readRelay(in, relayKey, version);
    if (expiry < 0 || expiry > MAX_EXPIRY_SECONDS) {
      throw new InvalidInvitationException(Reason.MALFORMED, "the invitation's expiry time is out of range");
    }
    Instant expiresAt = Instant.ofEpochSecond(expiry);
    if (!now.isBefore(expiresAt)) {
      throw new InvalidInvitationException(
          Reason.EXPIRED, "the invitation expired at " + expiresAt + ": ask for a new one");
    }
    Invitation inv = new Invitation(relay, fingerprint, secret, expiresAt);
    Arrays.fill(payload, (byte) 0);
    Arrays.fill(all, (byte) 0);
    return inv;
  }

  /**
   * Reads the relay's endpoints: version 1 holds one ({@code u16 port || u8 len || host}), version
   * 2 a count of 2..8 followed by that many; nothing may follow.
   */
  private static RelayAddress readRelay(ByteBuffer in, byte[] relayKey, int version)
      throws InvalidInvitationException {
    int count = 1;
    if (version == VERSION_ENDPOINTS) {
      if (!in.hasRemaining()) {
        throw new InvalidInvitationException(Reason.MALFORMED, "the invitation's relay endpoints are missing");
      }
      count = in.get() & 0xff;
      if (count < 2 || count > RelayAddress.MAX_ENDPOINTS) {
        throw new InvalidInvitationException(Reason.MALFORMED,
            "the invitation lists " + count + " relay endpoints; version " + VERSION_ENDPOINTS
                + " carries 2.." + RelayAddress.MAX_ENDPOINTS);
      }
    }
    List<RelayAddress.Endpoint> endpoints = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        if (in.remaining() < 3) {
          throw new InvalidInvitationException(Reason.MALFORMED, "the invitation's relay host is malformed");
        }
        int port = in.getShort() & 0xffff;
        int hostLength = in.get() & 0xff;
        if (in.remaining() < hostLength || (version == VERSION && in.remaining() != hostLength)) {
          throw new InvalidInvitationException(Reason.MALFORMED, "the invitation's relay host is malformed");
        }
        byte[] host = new byte[hostLength];
        in.get(host);
        endpoints.add(new RelayAddress.Endpoint(new String(host, StandardCharsets.US_ASCII), port));
      }
      if (in.hasRemaining()) {
        throw new InvalidInvitationException(Reason.MALFORMED, "the invitation has bytes after its relay endpoints");
      }
      return RelayAddress.of(relayKey, endpoints);
    } catch (IllegalArgumentException e) {
      throw new InvalidInvitationException(
          Reason.MALFORMED, "the invitation's relay address is invalid: " + e.getMessage());
    }
  }

  /** The compact string form: {@code bc1-} and base64url of the binary form with checksum. */
  public String toCompactString() {
    List<RelayAddress.Endpoint> endpoints = relay.endpoints();
    boolean one = endpoints.size() == 1;
    int relayBytes = one ? 0 : 1;
    for (RelayAddress.Endpoint e : endpoints) {
      relayBytes += 3 + e.host().length();
    }
    ByteBuffer out = ByteBuffer.allocate(FIXED_LENGTH - 3 + relayBytes + CHECKSUM_LENGTH);
    out.put((byte) (one ? VERSION : VERSION_ENDPOINTS))
        .put(relay.keySha256())
        .put(inviterFingerprint)
        .put(secret)
        .putLong(expiresAt.getEpochSecond());
    if (!one) {
      out.put((byte) endpoints.size());
    }
    for (RelayAddress.Endpoint e : endpoints) {
      byte[] host = e.host().getBytes(StandardCharsets.US_ASCII);
      out.putShort((short) e.port()).put((byte) host.length).put(host);
    }
    byte[] payload = Arrays.copyOf(out.array(), out.position());
    out.put(checksum(payload));
    String s = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    Arrays.fill(payload, (byte) 0);
    Arrays.fill(out.array(), (byte) 0);
    return s;
  }

  /**
   * The payload of a QR code for this invitation: the compact string's ASCII bytes (QR byte
   * mode), so scanning yields exactly what {@link #parse} reads.
   */
  public byte[] qrPayload() {
    return toCompactString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The relay where the inviter's sealed bundle waits. */
  public RelayAddress relay() {
    return relay;
  }

  /** The inviter's identity fingerprint (a copy). */
  public byte[] inviterFingerprint() {
    return inviterFingerprint.clone();
  }

  /**
   * The invitation secret (a copy, which the caller should clear). Whoever has the invitation
   * string has this secret too.
   */
  public byte[] secret() {
    return secret.clone();
  }

  /** When the invitation stops being valid. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Whether the invitation has expired at {@code now}. */
  public boolean isExpired(Instant now) {
    return !now.isBefore(expiresAt);
  }

  private static byte[] checksum(byte[] payload) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(CHECKSUM_LABEL);
      return Arrays.copyOf(sha.digest(payload), CHECKSUM_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  /** Shows the relay and expiry, never the secret. */
  @Override
  public String toString() {
    return "Invitation[relay=" + relay + ", expiresAt=" + expiresAt + ", secret=redacted]";
  }
}
