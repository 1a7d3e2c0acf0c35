package dev.backchannel.netty.runtime;

import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.agreement.AgreementTerms;
import dev.backchannel.crypto.agreement.ByteValue;
import dev.backchannel.crypto.agreement.ConversationCommitment;
import dev.backchannel.crypto.agreement.Party;
import dev.backchannel.crypto.agreement.PartyRole;
import dev.backchannel.netty.internal.runtime.AgreementProposal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Builds the terms both sides of a conversation sign from a proposal and the two parties' keys,
 * the same bytes on each side (PROTOCOL.md section 13, "Flow inside a conversation"): the proposer
 * and the contact are signatories with the labels of the proposal, the text hash is that of the
 * proposal's canonical text, nothing is superseded, and the conversation commitment is
 * {@code commit(salt, binding)} with
 * {@code binding = SHA-256("Backchannel-v1 agreement binding" || lower fingerprint || higher fingerprint)}.
 * Stateless.
 */
final class AgreementDraft {
  static final byte[] BINDING_LABEL = "Backchannel-v1 agreement binding".getBytes(StandardCharsets.US_ASCII);
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();

  private AgreementDraft() {}

  /**
   * The terms of {@code p}.
   *
   * @throws IllegalArgumentException if any field breaks a rule of the terms (title, labels,
   *     times, lengths, two parties sharing a key)
   */
  static AgreementTerms terms(AgreementProposal p, IdentityPublicKey proposer, byte[] proposerMlDsa,
      IdentityPublicKey contact, byte[] contactMlDsa) {
    if (p.getId().size() != AgreementTerms.ID_LENGTH || p.getSalt().size() != ConversationCommitment.SALT_LENGTH) {
      throw new IllegalArgumentException("an agreement proposal needs a 16-byte id and a 32-byte salt");
    }
    ByteValue commitment;
    try (SecretBytes salt = SecretBytes.copyOf(p.getSalt().toByteArray(), ACCESS)) {
      commitment = ConversationCommitment.commit(salt, binding(proposer, contact));
    }
    Party a = new Party(p.getProposerLabel(), PartyRole.SIGNATORY, proposer, ByteValue.copyOf(proposerMlDsa));
    Party b = new Party(p.getContactLabel(), PartyRole.SIGNATORY, contact, ByteValue.copyOf(contactMlDsa));
    return new AgreementTerms(ByteValue.copyOf(p.getId().toByteArray()), p.getTitle(),
        ByteValue.copyOf(sha256(p.getText().toByteArray())), List.of(a, b), p.getNotBefore(),
        p.getExpiresAt(), Optional.empty(), commitment);
  }

  /** The 32-byte binding that names the conversation of the two identities. */
  static byte[] binding(IdentityPublicKey x, IdentityPublicKey y) {
    byte[] fx = x.fingerprint();
    byte[] fy = y.fingerprint();
    boolean xFirst = Arrays.compareUnsigned(fx, fy) <= 0;
    MessageDigest d = sha();
    d.update(BINDING_LABEL);
    d.update(xFirst ? fx : fy);
    d.update(xFirst ? fy : fx);
    return d.digest();
  }

  static byte[] sha256(byte[] b) {
    return sha().digest(b);
  }

  private static MessageDigest sha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }
}
