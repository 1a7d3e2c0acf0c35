package dev.backchannel.netty.internal.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The admission proof of docs/PROTOCOL.md, "Admission":
 * {@code HMAC-SHA256(secret, "Backchannel-v1 admission" || challenge)}. Bound to the connection's
 * challenge, so a proof seen on one connection is worthless on another, and the secret itself
 * never crosses the wire. Not API.
 */
public final class AdmissionProof {
  private static final byte[] LABEL = "Backchannel-v1 admission".getBytes(StandardCharsets.US_ASCII);

  private AdmissionProof() {}

  /** The proof for {@code challenge}. */
  public static byte[] of(byte[] secret, byte[] challenge) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(LABEL);
      return mac.doFinal(challenge);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  /** Whether {@code proof} is the proof for {@code challenge} (constant time). */
  public static boolean verify(byte[] secret, byte[] challenge, byte[] proof) {
    return MessageDigest.isEqual(of(secret, challenge), proof);
  }
}
