package dev.backchannel.crypto.agreement;

import dev.backchannel.crypto.Ed25519;
import java.nio.charset.StandardCharsets;

/**
 * The domain separation of agreement signatures (PROTOCOL.md, "Agreements", "Signatures"): the
 * Ed25519 message is {@code "Backchannel-v1 agreement signature" || SHA-256(terms)}; the
 * ML-DSA-65 message is {@code SHA-256(terms)} under the context string {@code "Backchannel-v1
 * agreement signature"}. No other Ed25519 message of the protocol starts with this label, and no
 * label of the protocol is a prefix of it; the ML-DSA-65 key is used for nothing else.
 */
final class SignatureDomain {
  static final String LABEL_TEXT = "Backchannel-v1 agreement signature";
  static final byte[] LABEL = LABEL_TEXT.getBytes(StandardCharsets.US_ASCII);
  /** HKDF info of the ML-DSA-65 seed derivation. */
  static final byte[] MLDSA_SEED_LABEL =
      "Backchannel-v1 agreement ml-dsa-65 seed".getBytes(StandardCharsets.US_ASCII);

  private SignatureDomain() {}

  static byte[] ed25519Message(byte[] termsHash) {
    return new ByteWriter().bytes(LABEL).bytes(termsHash).toByteArray();
  }

  /** Whether {@code s} is {@code party}'s valid hybrid signature of {@code termsHash}. */
  static boolean verify(Party party, byte[] termsHash, PartySignature s) {
    boolean ed = Ed25519.verify(party.identity().ed25519(), ed25519Message(termsHash),
        s.ed25519().raw());
    boolean ml = MlDsa65.verify(party.mlDsa65PublicKey().raw(), LABEL, termsHash,
        s.mlDsa65().raw());
    return ed & ml;
  }
}
