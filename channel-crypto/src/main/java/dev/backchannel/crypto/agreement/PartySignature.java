package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.Ed25519;
import java.util.Objects;

/**
 * One party's hybrid signature of an agreement's terms: the index of the party in {@link
 * AgreementTerms#parties()}, its Ed25519 signature and its ML-DSA-65 signature. Both are always
 * present; a verifier requires both. A value, not a proof: {@link SignedAgreement#withSignature}
 * and {@link Agreements#verify} check it.
 *
 * <p>Encoding ({@link #encode()}, 3374 bytes): {@code u8 party_index || ed25519[64] ||
 * ml_dsa_65[3309]}; this is what the runtime sends to the other parties.
 *
 * @param partyIndex the signer's index, 0..{@link AgreementTerms#MAX_PARTIES}-1
 * @param ed25519 the 64-byte Ed25519 signature
 * @param mlDsa65 the 3309-byte ML-DSA-65 signature
 * @since 0.2
 */
public record PartySignature(int partyIndex, ByteValue ed25519, ByteValue mlDsa65) {
  /** Encoded length. */
  public static final int ENCODED_LENGTH = 1 + Ed25519.SIGNATURE_LENGTH + MlDsa65.SIGNATURE_LENGTH;

  /**
   * Validates lengths and the index range.
   *
   * @throws IllegalArgumentException if a length or the index is out of range
   */
  public PartySignature {
    Objects.requireNonNull(ed25519, "ed25519");
    Objects.requireNonNull(mlDsa65, "mlDsa65");
    if (partyIndex < 0 || partyIndex >= AgreementTerms.MAX_PARTIES) {
      throw new IllegalArgumentException("party index must be 0.." + (AgreementTerms.MAX_PARTIES - 1));
    }
    if (ed25519.length() != Ed25519.SIGNATURE_LENGTH) {
      throw new IllegalArgumentException("Ed25519 signature must be 64 bytes");
    }
    if (mlDsa65.length() != MlDsa65.SIGNATURE_LENGTH) {
      throw new IllegalArgumentException(
          "ML-DSA-65 signature must be " + MlDsa65.SIGNATURE_LENGTH + " bytes");
    }
  }

  /** The {@value #ENCODED_LENGTH}-byte encoding. */
  public byte[] encode() {
    return new ByteWriter().u8(partyIndex).bytes(ed25519.raw()).bytes(mlDsa65.raw()).toByteArray();
  }

  /**
   * Decodes {@link #encode()}'s output.
   *
   * @throws MalformedInputException if it is not {@value #ENCODED_LENGTH} bytes or the index is
   *     out of range
   */
  public static PartySignature decode(byte[] encoded) throws MalformedInputException {
    if (encoded == null || encoded.length != ENCODED_LENGTH) {
      throw new MalformedInputException("party signature must be " + ENCODED_LENGTH + " bytes");
    }
    return read(new ByteReader(encoded, "party signature"));
  }

  static PartySignature read(ByteReader r) throws MalformedInputException {
    int index = r.u8();
    if (index >= AgreementTerms.MAX_PARTIES) {
      throw new MalformedInputException("party index " + index + " is out of range");
    }
    return new PartySignature(index, ByteValue.copyOf(r.bytes(Ed25519.SIGNATURE_LENGTH)),
        ByteValue.copyOf(r.bytes(MlDsa65.SIGNATURE_LENGTH)));
  }
}
