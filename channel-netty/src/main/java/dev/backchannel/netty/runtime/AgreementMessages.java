package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import dev.backchannel.api.Agreement;
import dev.backchannel.api.AgreementStatus;
import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.agreement.AgreementText;
import dev.backchannel.crypto.agreement.PartySignature;
import dev.backchannel.crypto.agreement.SignedAgreement;
import dev.backchannel.netty.internal.runtime.AgreementKey;
import dev.backchannel.netty.internal.runtime.AgreementProposal;
import dev.backchannel.netty.internal.runtime.AgreementRecord;
import dev.backchannel.netty.internal.runtime.AgreementSignature;
import dev.backchannel.netty.internal.runtime.EscrowRelease;
import dev.backchannel.netty.internal.runtime.Payload;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a contact sends about agreements, on the stage: a proposal is kept only if its draft makes
 * valid terms naming this side with its own keys, within the open-proposal bound, under an id
 * not seen before; a signature only if it is the contact's own, valid for the terms, on an open
 * agreement of that conversation; a rejection only for an open, incomplete agreement of that
 * conversation; an escrow request (the contact's key and intermediary) once per agreement; a
 * release only from the intermediary this side deposited with, carrying the contact's valid
 * signature; deposits go to the {@link AgreementEscrow}. Anything else is refused, logged without
 * content, and changes nothing.
 */
final class AgreementMessages {
  private static final Logger LOG = LoggerFactory.getLogger(AgreementMessages.class);

  private final PeerContext peer;
  private final AgreementBook book;
  private final AgreementEscrow escrow;

  AgreementMessages(PeerContext peer, AgreementBook book, AgreementEscrow escrow) {
    this.peer = peer;
    this.book = book;
    this.escrow = escrow;
  }

  /** Whether {@code p} is an agreement payload. */
  static boolean isAgreement(Payload p) {
    return switch (p.getBodyCase()) {
      case AGREEMENT_PROPOSAL, AGREEMENT_SIGNATURE, AGREEMENT_REJECTION, AGREEMENT_KEY, ESCROW_DEPOSIT,
          ESCROW_RELEASE -> true;
      default -> false;
    };
  }

  void handle(StateTransaction tx, RuntimeConversation c, Payload p) {
    try {
      switch (p.getBodyCase()) {
        case AGREEMENT_PROPOSAL -> proposed(tx, c, p.getAgreementProposal());
        case AGREEMENT_SIGNATURE -> signed(tx, c, p.getAgreementSignature());
        case AGREEMENT_REJECTION -> rejected(tx, c, p.getAgreementRejection().getId());
        case AGREEMENT_KEY -> keyed(tx, c, p.getAgreementKey());
        case ESCROW_DEPOSIT -> escrow.deposit(tx, c, p.getEscrowDeposit());
        case ESCROW_RELEASE -> released(tx, c, p.getEscrowRelease());
        default -> { }
      }
    } catch (BackchannelException | IllegalArgumentException e) {
      LOG.warn("refusing an agreement payload from a contact: {}", e.getMessage());
    } catch (RuntimeException e) {
      // A contact's bytes must never reach the stage as an exception: refused like any other.
      LOG.warn("refusing an agreement payload from a contact that broke an assumption ({})",
          e.getClass().getSimpleName());
    }
  }

  private void proposed(StateTransaction tx, RuntimeConversation c, AgreementProposal p)
      throws BackchannelException {
    String hex = AgreementBook.hex(p.getId());
    if (book.get(hex).isPresent()) {
      throw new MalformedInputException("an agreement with this id exists already");
    }
    byte[] text = p.getText().toByteArray();
    if (text.length > Agreement.MAX_TEXT_BYTES || !Arrays.equals(AgreementText.canonical(text), text)) {
      throw new MalformedInputException("the proposed text is too long or not canonical");
    }
    if (book.open(c.session().id(), false) >= AgreementBook.MAX_OPEN_PER_SIDE) {
      throw new MalformedInputException("the contact has " + AgreementBook.MAX_OPEN_PER_SIDE
          + " agreements open already");
    }
    IdentityPublicKey contact = AgreementBook.contactIdentity(c);
    long at = System.currentTimeMillis();
    AgreementRecord r = AgreementRecord.newBuilder().setVersion(1).setProposal(p).setContact(c.session().id())
        .setProposedByMe(false).setContactMlDsaPublic(p.getProposerMlDsaPublic()).setState(AgreementBook.OPEN)
        .setCreatedAtMillis(at).setChangedAtMillis(at).build();
    AgreementBook.Held h = book.held(r, contact); // builds the terms: refuses a draft that breaks their rules
    if (Instant.now().getEpochSecond() >= p.getExpiresAt()) {
      throw new MalformedInputException("the proposed agreement has expired");
    }
    book.put(tx, hex, h);
    book.pruneClosed(tx, c.session().id());
    book.notifyAfterCommit(tx, c, hex);
  }

  private void signed(StateTransaction tx, RuntimeConversation c, AgreementSignature m) throws BackchannelException {
    String hex = AgreementBook.hex(m.getId());
    AgreementBook.Held h = ofConversation(hex, c);
    if (h.record().getState() != AgreementBook.OPEN) {
      return; // crossed with a rejection: the agreement stays rejected
    }
    IdentityPublicKey contact = AgreementBook.contactIdentity(c);
    AgreementBook.Held withKey = h;
    if (h.record().getContactMlDsaPublic().isEmpty()) {
      if (m.getMlDsaPublic().isEmpty()) {
        throw new MalformedInputException("a first signature without the signer's ML-DSA-65 key");
      }
      withKey = book.held(h.record().toBuilder().setContactMlDsaPublic(m.getMlDsaPublic()).build(), contact);
    } else if (!m.getMlDsaPublic().isEmpty() && !m.getMlDsaPublic().equals(h.record().getContactMlDsaPublic())) {
      throw new MalformedInputException("a signature names another ML-DSA-65 key than the terms");
    }
    SignedAgreement s = withKey.signed().orElseThrow(() ->
        new MalformedInputException("a signature for an agreement whose terms are not known"));
    PartySignature sig = PartySignature.decode(m.getSignature().toByteArray());
    int theirs = s.terms().indexOf(contact).orElseThrow(() ->
        new MalformedInputException("the terms do not name the contact"));
    if (sig.partyIndex() != theirs) {
      throw new MalformedInputException("a signature for another party than the contact");
    }
    if (s.hasSignatureOf(theirs)) {
      return; // a repeat
    }
    SignedAgreement next;
    try {
      next = s.withSignature(sig);
    } catch (AuthenticationFailedException e) {
      throw new MalformedInputException("the contact's agreement signature does not verify");
    }
    book.put(tx, hex, new AgreementBook.Held(AgreementBook.withSignatures(withKey.record(), next), Optional.of(next)));
    book.notifyAfterCommit(tx, c, hex);
  }

  private void rejected(StateTransaction tx, RuntimeConversation c, ByteString id) throws BackchannelException {
    String hex = AgreementBook.hex(id);
    AgreementBook.Held h = ofConversation(hex, c);
    if (h.record().getState() != AgreementBook.OPEN) {
      return;
    }
    if (RuntimeAgreement.statusOf(h, peer.identity().publicKey(), Instant.now().getEpochSecond())
        == AgreementStatus.COMPLETE) {
      throw new MalformedInputException("a complete agreement cannot be rejected");
    }
    book.reject(tx, hex, h, AgreementBook.REJECTED_THERE);
    book.notifyAfterCommit(tx, c, hex);
  }

  /** The contact signed in escrow: its ML-DSA-65 key and the intermediary holding its signature. */
  private void keyed(StateTransaction tx, RuntimeConversation c, AgreementKey m) throws BackchannelException {
    String hex = AgreementBook.hex(m.getId());
    AgreementBook.Held h = ofConversation(hex, c);
    if (h.record().getState() != AgreementBook.OPEN) {
      return;
    }
    if (m.getEscrowFingerprint().size() != 32) {
      throw new MalformedInputException("an escrow request names no intermediary");
    }
    if (!h.record().getContactMlDsaPublic().isEmpty() && !m.getMlDsaPublic().equals(h.record().getContactMlDsaPublic())) {
      throw new MalformedInputException("an escrow request names another ML-DSA-65 key than the terms");
    }
    if (!h.record().getEscrowFingerprint().isEmpty()) {
      return; // a repeat: the first request stands
    }
    AgreementRecord r = h.record().toBuilder().setContactMlDsaPublic(m.getMlDsaPublic())
        .setEscrowFingerprint(m.getEscrowFingerprint()).setChangedAtMillis(System.currentTimeMillis()).build();
    book.put(tx, hex, book.held(r, AgreementBook.contactIdentity(c))); // builds the terms: refuses a bad key
    book.notifyAfterCommit(tx, c, hex);
  }

  /** The intermediary this side deposited with releases every party's signature. */
  private void released(StateTransaction tx, RuntimeConversation via, EscrowRelease m) throws BackchannelException {
    String hex = AgreementBook.hex(m.getId());
    AgreementBook.Held h = book.get(hex).orElse(null);
    if (h == null || !h.record().getEscrowContact().equals(via.session().id()) || h.signed().isEmpty()) {
      throw new MalformedInputException("a release from a contact this side deposited nothing with");
    }
    RuntimeConversation c = peer.conversations().byId(h.record().getContact()).orElseThrow(() ->
        new MalformedInputException("the agreement's conversation is gone"));
    SignedAgreement s = h.signed().get();
    int theirs = s.terms().indexOf(AgreementBook.contactIdentity(c)).orElseThrow(() ->
        new MalformedInputException("the terms do not name the contact"));
    if (s.hasSignatureOf(theirs)) {
      return;
    }
    for (ByteString b : m.getSignaturesList()) {
      PartySignature sig = PartySignature.decode(b.toByteArray());
      if (sig.partyIndex() == theirs) {
        try {
          SignedAgreement next = s.withSignature(sig);
          book.put(tx, hex, new AgreementBook.Held(AgreementBook.withSignatures(h.record(), next), Optional.of(next)));
          book.notifyAfterCommit(tx, c, hex);
          return;
        } catch (AuthenticationFailedException e) {
          throw new MalformedInputException("a released signature does not verify");
        }
      }
    }
    throw new MalformedInputException("a release without the contact's signature");
  }

  private AgreementBook.Held ofConversation(String hex, RuntimeConversation c) throws MalformedInputException {
    AgreementBook.Held h = book.get(hex).orElse(null);
    if (h == null || !h.record().getContact().equals(c.session().id())) {
      throw new MalformedInputException("no agreement with this id in this conversation");
    }
    return h;
  }
}
