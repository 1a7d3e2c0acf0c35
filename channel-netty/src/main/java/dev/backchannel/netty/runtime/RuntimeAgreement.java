package dev.backchannel.netty.runtime;

import dev.backchannel.api.Agreement;
import dev.backchannel.api.AgreementStatus;
import dev.backchannel.api.error.AgreementClosedException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.agreement.SignedAgreement;
import dev.backchannel.netty.internal.runtime.AgreementProposal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * The application's handle on one agreement: reads the latest held state from the
 * {@link AgreementBook} on every call. Thread-safe.
 */
final class RuntimeAgreement implements Agreement {
  private final AgreementBook book;
  private final PeerContext peer;
  private final String hex;

  RuntimeAgreement(AgreementBook book, PeerContext peer, String hex) {
    this.book = book;
    this.peer = peer;
    this.hex = hex;
  }

  private AgreementBook.Held held() {
    return book.get(hex).orElseThrow(() -> new IllegalStateException("agreement " + hex + " was deleted"));
  }

  private AgreementProposal proposal() {
    return held().record().getProposal();
  }

  @Override
  public String id() {
    return hex;
  }

  @Override
  public String contact() {
    return peer.conversations().byId(held().record().getContact()).map(RuntimeConversation::name).orElse("");
  }

  @Override
  public String title() {
    return proposal().getTitle();
  }

  @Override
  public String text() {
    return new String(proposal().getText().toByteArray(), StandardCharsets.UTF_8);
  }

  @Override
  public boolean proposedByMe() {
    return held().record().getProposedByMe();
  }

  @Override
  public Instant notBefore() {
    return Instant.ofEpochSecond(proposal().getNotBefore());
  }

  @Override
  public Instant expiresAt() {
    return Instant.ofEpochSecond(proposal().getExpiresAt());
  }

  @Override
  public AgreementStatus status() {
    return statusOf(held(), peer.identity().publicKey(), Instant.now().getEpochSecond());
  }

  /** The status of {@code h} seen by {@code me} at Unix second {@code now}. */
  static AgreementStatus statusOf(AgreementBook.Held h, IdentityPublicKey me, long now) {
    boolean mine = false;
    boolean theirs = false;
    if (h.signed().isPresent()) {
      SignedAgreement s = h.signed().get();
      int i = s.terms().indexOf(me).orElse(-1);
      mine = s.hasSignatureOf(i);
      theirs = s.hasSignatureOf(1 - i);
    }
    if (mine && theirs) {
      return AgreementStatus.COMPLETE;
    }
    if (h.record().getState() != AgreementBook.OPEN || now >= h.record().getProposal().getExpiresAt()) {
      return AgreementStatus.REJECTED;
    }
    if (mine) {
      return AgreementStatus.PROPOSED;
    }
    return theirs || !h.record().getProposedByMe() || !h.record().getEscrowFingerprint().isEmpty()
        ? AgreementStatus.AWAITING_SIGNATURE : AgreementStatus.PROPOSED;
  }

  @Override
  public CompletableFuture<Void> sign() {
    return book.sign(hex);
  }

  @Override
  public CompletableFuture<Void> signInEscrow(dev.backchannel.api.Conversation intermediary) {
    if (!(intermediary instanceof RuntimeConversation via)) {
      return CompletableFuture.failedFuture(new dev.backchannel.api.error.MalformedInputException(
          "the intermediary must be a conversation of this peer"));
    }
    return book.signInEscrow(hex, via);
  }

  @Override
  public java.util.Optional<String> escrow() {
    AgreementBook.Held h = held();
    if (!h.record().getEscrowContact().isEmpty()) {
      return peer.conversations().byId(h.record().getEscrowContact()).map(RuntimeConversation::name);
    }
    if (!h.record().getEscrowFingerprint().isEmpty()) {
      return peer.conversations().all().stream()
          .filter(x -> AgreementBook.fingerprintOf(x).equals(h.record().getEscrowFingerprint()))
          .map(RuntimeConversation::name).findFirst();
    }
    return java.util.Optional.empty();
  }

  @Override
  public CompletableFuture<Void> reject() {
    return book.reject(hex);
  }

  @Override
  public byte[] export() throws BackchannelException {
    return signed().toBinary();
  }

  @Override
  public String exportArmored() throws BackchannelException {
    return signed().toArmored();
  }

  private SignedAgreement signed() throws AgreementClosedException {
    AgreementBook.Held h = held();
    if (h.signed().isEmpty() || h.signed().get().signatures().isEmpty()) {
      throw new AgreementClosedException("no party has signed this agreement yet: there is nothing to export");
    }
    return h.signed().get();
  }

  @Override
  public String toString() {
    return "Agreement[" + hex + ", " + status() + "]";
  }
}
