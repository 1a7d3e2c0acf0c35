package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.Agreement;
import dev.backchannel.api.AgreementStatus;
import dev.backchannel.api.error.AgreementClosedException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.agreement.AgreementKeys;
import dev.backchannel.crypto.agreement.AgreementTerms;
import dev.backchannel.crypto.agreement.AgreementText;
import dev.backchannel.crypto.agreement.ByteValue;
import dev.backchannel.crypto.agreement.PartySignature;
import dev.backchannel.crypto.agreement.SignedAgreement;
import dev.backchannel.netty.internal.runtime.AgreementKey;
import dev.backchannel.netty.internal.runtime.AgreementProposal;
import dev.backchannel.netty.internal.runtime.AgreementRecord;
import dev.backchannel.netty.internal.runtime.AgreementRejection;
import dev.backchannel.netty.internal.runtime.AgreementSignature;
import dev.backchannel.netty.internal.runtime.EscrowDeposit;
import dev.backchannel.netty.internal.runtime.Payload;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agreements of every conversation: their records (written on the stage, read anywhere),
 * the handles the application holds, and the steps this side takes (propose, sign, reject). What
 * a contact sends is handled by {@link AgreementMessages}. A step's future completes after its
 * state is durable and, for a step the contact must hear of, once the relay holds the envelope.
 */
final class AgreementBook implements AutoCloseable {
  /** Open agreements one side may have proposed in one conversation. */
  static final int MAX_OPEN_PER_SIDE = 32;
  /**
   * Closed agreements (rejected, or expired before they were complete) kept per conversation;
   * older ones are deleted.
   */
  static final int MAX_CLOSED_KEPT = 64;
  static final int OPEN = 0;
  static final int REJECTED_HERE = 1;
  static final int REJECTED_THERE = 2;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One agreement as held: its record and, once both ML-DSA-65 keys are known, its signed terms. */
  record Held(AgreementRecord record, Optional<SignedAgreement> signed) {}

  private final PeerContext peer;
  private final Map<String, Held> byId = new ConcurrentHashMap<>();
  private final Map<String, RuntimeAgreement> handles = new ConcurrentHashMap<>();
  private AgreementKeys keys;

  AgreementBook(PeerContext peer) {
    this.peer = peer;
  }

  /** Loads every agreement (before the stage starts). */
  void load(Map<String, IdentityPublicKey> contacts) throws BackchannelException {
    for (String k : peer.store().keys(StateKeys.AGREEMENT_PREFIX)) {
      AgreementRecord r;
      try {
        r = AgreementRecord.parseFrom(peer.store().get(k).orElseThrow());
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("agreement record " + k + " is corrupt");
      }
      IdentityPublicKey contact = contacts.get(r.getContact());
      if (contact == null) {
        throw new StateStoreException("agreement record " + k + " names no contact");
      }
      try {
        byId.put(hex(r.getProposal().getId()), held(r, contact));
      } catch (IllegalArgumentException | MalformedInputException e) {
        throw new StateStoreException("agreement record " + k + " is corrupt");
      }
    }
  }

  /** This identity's agreement keys, derived on first use. */
  synchronized AgreementKeys keys() {
    if (keys == null) {
      keys = AgreementKeys.derive(peer.identity());
    }
    return keys;
  }

  /** The held agreement built from {@code r}: the terms once both keys are known. */
  Held held(AgreementRecord r, IdentityPublicKey contact) throws MalformedInputException {
    if (r.getContactMlDsaPublic().isEmpty()) {
      return new Held(r, Optional.empty());
    }
    IdentityPublicKey me = peer.identity().publicKey();
    byte[] mine = keys().mlDsa65PublicKey().toByteArray();
    byte[] theirs = r.getContactMlDsaPublic().toByteArray();
    AgreementTerms t = r.getProposedByMe()
        ? AgreementDraft.terms(r.getProposal(), me, mine, contact, theirs)
        : AgreementDraft.terms(r.getProposal(), contact, theirs, me, mine);
    List<PartySignature> sigs = new ArrayList<>();
    for (ByteString s : r.getSignaturesList()) {
      sigs.add(PartySignature.decode(s.toByteArray()));
    }
    return new Held(r, Optional.of(new SignedAgreement(t, sigs,
        Optional.of(ByteValue.copyOf(r.getProposal().getText().toByteArray())))));
  }

  Optional<Held> get(String hex) {
    return Optional.ofNullable(byId.get(hex));
  }

  /** The handle for {@code hex} (one per agreement). */
  Agreement handle(String hex) {
    return handles.computeIfAbsent(hex, h -> new RuntimeAgreement(this, peer, h));
  }

  /** The agreements of contact {@code contactId}, or of every contact when null, oldest first. */
  List<Agreement> list(String contactId) {
    return byId.entrySet().stream()
        .filter(e -> contactId == null || e.getValue().record().getContact().equals(contactId))
        .sorted(Comparator.comparingLong((Map.Entry<String, Held> e) -> e.getValue().record().getCreatedAtMillis())
            .thenComparing(Map.Entry::getKey))
        .map(e -> handle(e.getKey())).toList();
  }

  /** Proposes an agreement in {@code c} (caller's thread; returns once it is durable and queued). */
  Agreement propose(RuntimeConversation c, String title, String text, String ownLabel, Instant expiresAt)
      throws BackchannelException {
    if (text == null || title == null || ownLabel == null || expiresAt == null) {
      throw new MalformedInputException("an agreement needs a title, a text, a label and an end");
    }
    byte[] canonical = AgreementText.canonical(text);
    if (canonical.length > Agreement.MAX_TEXT_BYTES) {
      throw new MalformedInputException("an agreement text proposed in a conversation is at most "
          + Agreement.MAX_TEXT_BYTES + " bytes");
    }
    byte[] id = new byte[AgreementTerms.ID_LENGTH];
    RANDOM.nextBytes(id);
    byte[] salt = new byte[32];
    RANDOM.nextBytes(salt);
    long now = Instant.now().getEpochSecond();
    if (expiresAt.getEpochSecond() <= now || expiresAt.getEpochSecond() > AgreementTerms.MAX_TIME) {
      throw new MalformedInputException("an agreement must end after now and at most at 9999-12-31T23:59:59Z");
    }
    byte[] mine = keys().mlDsa65PublicKey().toByteArray();
    AgreementProposal p = AgreementProposal.newBuilder().setId(ByteString.copyFrom(id)).setTitle(title)
        .setText(ByteString.copyFrom(canonical)).setNotBefore(now).setExpiresAt(expiresAt.getEpochSecond())
        .setSalt(ByteString.copyFrom(salt)).setProposerLabel(ownLabel).setContactLabel(c.name())
        .setProposerMlDsaPublic(ByteString.copyFrom(mine)).build();
    String hex = HexFormat.of().formatHex(id);
    peer.stage().call(tx -> {
      if (peer.conversations().byId(c.session().id()).orElse(null) != c || !c.session().record().getEstablished()) {
        throw new MalformedInputException("agreements are proposed in an established conversation of this peer");
      }
      IdentityPublicKey contact = contactIdentity(c);
      checkDraft(p, peer.identity().publicKey(), mine, contact);
      if (open(c.session().id(), true) >= MAX_OPEN_PER_SIDE) {
        throw new QuotaExceededException("at most " + MAX_OPEN_PER_SIDE
            + " agreements proposed here may be open in one conversation");
      }
      long at = System.currentTimeMillis();
      AgreementRecord r = AgreementRecord.newBuilder().setVersion(1).setProposal(p).setContact(c.session().id())
          .setProposedByMe(true).setState(OPEN).setCreatedAtMillis(at).setChangedAtMillis(at).build();
      put(tx, hex, new Held(r, Optional.empty()));
      pruneClosed(tx, c.session().id());
      c.session().queue(tx, Payload.newBuilder().setAgreementProposal(p).build(), 0);
      return null;
    });
    return handle(hex);
  }

  /** Checks a draft's title, labels and times against the rules of the terms. */
  private static void checkDraft(AgreementProposal p, IdentityPublicKey me, byte[] mine,
      IdentityPublicKey contact) throws MalformedInputException {
    byte[] other = mine.clone();
    other[0] ^= 1; // a stand-in for the contact's key, which is not known yet
    try {
      AgreementDraft.terms(p, me, mine, contact, other);
    } catch (IllegalArgumentException e) {
      throw new MalformedInputException(e.getMessage());
    }
  }

  /**
   * Signs {@code hex} and sends the signature to the contact, or deposits it with the
   * intermediary the contact asked for (any thread).
   */
  CompletableFuture<Void> sign(String hex) {
    return peer.stage().submit(tx -> {
      Held h = byId.get(hex);
      RuntimeConversation c = conversation(h);
      if (!h.record().getEscrowFingerprint().isEmpty() && h.record().getEscrowContact().isEmpty()) {
        RuntimeConversation via = peer.conversations().all().stream()
            .filter(x -> x.session().record().getEstablished() && fingerprintOf(x).equals(h.record().getEscrowFingerprint()))
            .findFirst().orElseThrow(() -> new AgreementClosedException(
                "the contact signs in escrow through an intermediary that is not an established contact here"));
        return deposit(tx, hex, h, c, via);
      }
      SignedAgreement s = signable(h);
      int me = s.terms().indexOf(peer.identity().publicKey()).orElseThrow();
      if (s.hasSignatureOf(me)) {
        return CompletableFuture.<Long>completedFuture(0L);
      }
      checkOpen(h);
      PartySignature sig = keys().sign(s.terms());
      SignedAgreement next = s.withSignature(sig);
      put(tx, hex, new Held(withSignatures(h.record(), next), Optional.of(next)));
      notifyAfterCommit(tx, c, hex);
      return c.session().queue(tx, Payload.newBuilder().setAgreementSignature(AgreementSignature.newBuilder()
          .setId(h.record().getProposal().getId()).setSignature(ByteString.copyFrom(sig.encode()))
          .setMlDsaPublic(ByteString.copyFrom(keys().mlDsa65PublicKey().toByteArray()))).build(), 0);
    }).thenCompose(sent -> sent.thenApply(seq -> null));
  }

  /** Signs {@code hex} and deposits the signature with {@code intermediary} (any thread). */
  CompletableFuture<Void> signInEscrow(String hex, RuntimeConversation intermediary) {
    return peer.stage().submit(tx -> {
      Held h = byId.get(hex);
      RuntimeConversation c = conversation(h);
      if (peer.conversations().byId(intermediary.session().id()).orElse(null) != intermediary
          || !intermediary.session().record().getEstablished()) {
        throw new MalformedInputException("the intermediary must be an established conversation of this peer");
      }
      if (!h.record().getEscrowFingerprint().isEmpty()
          && !h.record().getEscrowFingerprint().equals(fingerprintOf(intermediary))) {
        throw new MalformedInputException("the contact signs in escrow through another intermediary");
      }
      return deposit(tx, hex, h, c, intermediary);
    }).thenCompose(sent -> sent.thenApply(seq -> null));
  }

  private CompletableFuture<Long> deposit(StateTransaction tx, String hex, Held h, RuntimeConversation c,
      RuntimeConversation via) throws BackchannelException {
    if (via == c) {
      throw new MalformedInputException("the intermediary must be a third party, not the contact");
    }
    if (!h.record().getEscrowContact().isEmpty()) {
      if (!h.record().getEscrowContact().equals(via.session().id())) {
        throw new AgreementClosedException("this side's signature is in escrow with another intermediary already");
      }
      return CompletableFuture.completedFuture(0L);
    }
    SignedAgreement s = signable(h);
    if (s.terms().indexOf(contactIdentity(via)).isPresent()) {
      throw new MalformedInputException("the intermediary is a party to the agreement");
    }
    checkOpen(h);
    PartySignature sig = keys().sign(s.terms());
    SignedAgreement next = s.withSignature(sig);
    put(tx, hex, new Held(withSignatures(h.record(), next).toBuilder().setEscrowContact(via.session().id()).build(),
        Optional.of(next)));
    notifyAfterCommit(tx, c, hex);
    c.session().queue(tx, Payload.newBuilder().setAgreementKey(AgreementKey.newBuilder()
        .setId(h.record().getProposal().getId())
        .setMlDsaPublic(ByteString.copyFrom(keys().mlDsa65PublicKey().toByteArray()))
        .setEscrowFingerprint(fingerprintOf(via))).build(), 0);
    return via.session().queue(tx, Payload.newBuilder().setEscrowDeposit(EscrowDeposit.newBuilder()
        .setTerms(ByteString.copyFrom(s.terms().encode())).setSignature(ByteString.copyFrom(sig.encode()))).build(), 0);
  }

  private static SignedAgreement signable(Held h) throws AgreementClosedException {
    if (h.signed().isEmpty()) {
      throw new AgreementClosedException("the contact signs first: this side countersigns once its signature arrives");
    }
    return h.signed().get();
  }

  static ByteString fingerprintOf(RuntimeConversation c) {
    try {
      return ByteString.copyFrom(contactIdentity(c).fingerprint());
    } catch (BackchannelException e) {
      return ByteString.EMPTY;
    }
  }

  /** Rejects {@code hex} and tells the contact (any thread). */
  CompletableFuture<Void> reject(String hex) {
    return peer.stage().submit(tx -> {
      Held h = byId.get(hex);
      RuntimeConversation c = conversation(h);
      checkOpen(h);
      reject(tx, hex, h, REJECTED_HERE);
      notifyAfterCommit(tx, c, hex);
      return c.session().queue(tx, Payload.newBuilder().setAgreementRejection(AgreementRejection.newBuilder()
          .setId(h.record().getProposal().getId())).build(), 0);
    }).thenCompose(sent -> sent.thenApply(seq -> null));
  }

  private RuntimeConversation conversation(Held h) throws AgreementClosedException {
    if (h == null) {
      throw new AgreementClosedException("no such agreement");
    }
    return peer.conversations().byId(h.record().getContact())
        .orElseThrow(() -> new AgreementClosedException("the agreement's conversation is gone"));
  }

  private static void checkOpen(Held h) throws AgreementClosedException {
    if (h.record().getState() != OPEN) {
      throw new AgreementClosedException("the agreement was rejected");
    }
    if (h.signed().isPresent()
        && h.signed().get().signatures().size() == h.signed().get().terms().parties().size()) {
      throw new AgreementClosedException("the agreement is complete");
    }
    if (Instant.now().getEpochSecond() >= h.record().getProposal().getExpiresAt()) {
      throw new AgreementClosedException("the agreement expired before it was signed");
    }
  }

  /** Marks {@code h} rejected ({@code by} one side) and deletes the oldest closed beyond the bound (stage). */
  void reject(StateTransaction tx, String hex, Held h, int by) {
    long at = System.currentTimeMillis();
    put(tx, hex, new Held(h.record().toBuilder().setState(by).setChangedAtMillis(at).build(), h.signed()));
    pruneClosed(tx, h.record().getContact());
  }

  /**
   * Deletes the oldest closed agreements of {@code contactId} (rejected, or expired before they
   * were complete) beyond {@link #MAX_CLOSED_KEPT} (stage). Complete agreements are never deleted.
   */
  void pruneClosed(StateTransaction tx, String contactId) {
    long now = Instant.now().getEpochSecond();
    List<Map.Entry<String, Held>> closed = byId.entrySet().stream()
        .filter(e -> e.getValue().record().getContact().equals(contactId) && closed(e.getValue(), now))
        .sorted(Comparator.comparingLong(e -> e.getValue().record().getChangedAtMillis()))
        .toList();
    for (int i = 0; i < closed.size() - MAX_CLOSED_KEPT; i++) {
      String old = closed.get(i).getKey();
      Held before = byId.remove(old);
      tx.delete(StateKeys.agreement(old));
      tx.onFailure(() -> byId.put(old, before));
    }
  }

  private boolean closed(Held h, long now) {
    AgreementStatus s = RuntimeAgreement.statusOf(h, peer.identity().publicKey(), now);
    return s == AgreementStatus.REJECTED;
  }

  /** Open agreements of {@code contactId} proposed by this side ({@code mine}) or by the contact. */
  int open(String contactId, boolean mine) {
    long now = Instant.now().getEpochSecond();
    return (int) byId.values().stream().filter(h -> h.record().getContact().equals(contactId)
        && h.record().getProposedByMe() == mine && h.record().getState() == OPEN
        && RuntimeAgreement.statusOf(h, peer.identity().publicKey(), now) != AgreementStatus.COMPLETE
        && now < h.record().getProposal().getExpiresAt()).count();
  }

  static AgreementRecord withSignatures(AgreementRecord r, SignedAgreement s) {
    AgreementRecord.Builder b = r.toBuilder().clearSignatures().setChangedAtMillis(System.currentTimeMillis());
    s.signatures().forEach(x -> b.addSignatures(ByteString.copyFrom(x.encode())));
    return b.build();
  }

  /** Replaces the held agreement in memory and in {@code tx} (stage). */
  void put(StateTransaction tx, String hex, Held next) {
    Held before = byId.put(hex, next);
    tx.put(StateKeys.agreement(hex), next.record().toByteArray());
    tx.onFailure(() -> {
      if (before == null) {
        byId.remove(hex);
      } else {
        byId.put(hex, before);
      }
    });
  }

  /** Tells {@code c}'s listener that {@code hex} changed, once the batch is durable. */
  void notifyAfterCommit(StateTransaction tx, RuntimeConversation c, String hex) {
    tx.afterCommit(() -> c.agreementChanged(handle(hex)));
  }

  static IdentityPublicKey contactIdentity(RuntimeConversation c) throws BackchannelException {
    return IdentityPublicKey.parse(c.session().record().getPeerIdentity().toByteArray());
  }

  static String hex(ByteString id) {
    return HexFormat.of().formatHex(id.toByteArray());
  }

  @Override
  public synchronized void close() {
    if (keys != null) {
      keys.close();
    }
  }
}
