package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.agreement.AgreementTerms;
import dev.backchannel.crypto.agreement.Party;
import dev.backchannel.crypto.agreement.PartySignature;
import dev.backchannel.crypto.agreement.SignedAgreement;
import dev.backchannel.netty.internal.runtime.EscrowDeposit;
import dev.backchannel.netty.internal.runtime.EscrowRecord;
import dev.backchannel.netty.internal.runtime.EscrowRelease;
import dev.backchannel.netty.internal.runtime.Payload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The intermediary's side of escrow, on the stage: holds each party's signature of the same terms
 * until every listed party has deposited one, then sends all of them to every party at once and
 * forgets them. A deposit is kept only if its terms decode, this peer is not a party, every party
 * is an established contact of this peer, the depositor is the party its signature names, the
 * signature verifies, the terms have not ended, and the bounds allow it. Deposits not completed
 * within {@link #HOLD} (or by the terms' end) are deleted. The intermediary learns the terms (the
 * title, the text's hash, the parties), never the text.
 */
final class AgreementEscrow {
  /** Escrows one contact may have open here. */
  static final int MAX_OPEN_PER_CONTACT = 16;
  /** Escrows open here in all. */
  static final int MAX_OPEN = 256;
  /** How long a deposit waits for the other party's. */
  static final Duration HOLD = Duration.ofDays(30);

  private final PeerContext peer;
  private final Map<String, EscrowRecord> open = new ConcurrentHashMap<>();

  AgreementEscrow(PeerContext peer) {
    this.peer = peer;
  }

  /** Loads the open escrows and schedules their end (before the stage starts). */
  void load() throws BackchannelException {
    for (String k : peer.store().keys(StateKeys.ESCROW_PREFIX)) {
      try {
        EscrowRecord r = EscrowRecord.parseFrom(peer.store().get(k).orElseThrow());
        String hex = k.substring(StateKeys.ESCROW_PREFIX.length());
        open.put(hex, r);
        scheduleEnd(hex, r.getExpiresAtMillis());
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("escrow record " + k + " is corrupt");
      }
    }
  }

  /** How many escrows are open (for tests). */
  int openCount() {
    return open.size();
  }

  /** A deposit from contact {@code c} (stage). */
  void deposit(StateTransaction tx, RuntimeConversation c, EscrowDeposit m) throws BackchannelException {
    AgreementTerms terms = AgreementTerms.decode(m.getTerms().toByteArray());
    IdentityPublicKey depositor = AgreementBook.contactIdentity(c);
    if (terms.indexOf(peer.identity().publicKey()).isPresent()) {
      throw new MalformedInputException("an intermediary does not hold signatures of its own agreement");
    }
    int index = terms.indexOf(depositor).orElseThrow(() ->
        new MalformedInputException("the depositor is not a party to the terms"));
    List<RuntimeConversation> parties = new ArrayList<>();
    for (Party p : terms.parties()) {
      parties.add(conversationOf(p.identity()).orElseThrow(() ->
          new MalformedInputException("a party to the terms is not an established contact of the intermediary")));
    }
    PartySignature sig = PartySignature.decode(m.getSignature().toByteArray());
    if (sig.partyIndex() != index) {
      throw new MalformedInputException("a deposit of another party's signature");
    }
    long now = System.currentTimeMillis();
    if (terms.expiresAt() * 1000 <= now) {
      throw new MalformedInputException("the terms have ended");
    }
    String hex = terms.hash().hex();
    EscrowRecord r = open.get(hex);
    SignedAgreement held = SignedAgreement.of(terms);
    if (r != null) {
      for (ByteString s : r.getSignaturesList()) {
        held = new SignedAgreement(terms, with(held.signatures(), PartySignature.decode(s.toByteArray())), Optional.empty());
      }
      if (held.hasSignatureOf(index)) {
        return; // a repeat
      }
    } else {
      long mine = open.values().stream().filter(x -> x.getDepositorsList().contains(c.session().id())).count();
      if (mine >= MAX_OPEN_PER_CONTACT || open.size() >= MAX_OPEN) {
        throw new MalformedInputException("too many escrows open");
      }
    }
    try {
      held = held.withSignature(sig);
    } catch (AuthenticationFailedException e) {
      throw new MalformedInputException("the deposited signature does not verify");
    }
    if (held.signatures().size() == terms.parties().size()) {
      EscrowRelease.Builder release = EscrowRelease.newBuilder().setId(ByteString.copyFrom(terms.id().toByteArray()));
      held.signatures().forEach(s -> release.addSignatures(ByteString.copyFrom(s.encode())));
      Payload p = Payload.newBuilder().setEscrowRelease(release).build();
      for (RuntimeConversation party : parties) {
        party.session().queue(tx, p, 0);
      }
      if (r != null) {
        open.remove(hex);
        tx.delete(StateKeys.escrow(hex));
        EscrowRecord before = r;
        tx.onFailure(() -> open.put(hex, before));
      }
      return;
    }
    long end = Math.min(terms.expiresAt() * 1000, now + HOLD.toMillis());
    EscrowRecord.Builder next = (r == null
        ? EscrowRecord.newBuilder().setVersion(1).setTerms(m.getTerms()).setCreatedAtMillis(now).setExpiresAtMillis(end)
        : r.toBuilder()).clearSignatures().addDepositors(c.session().id());
    held.signatures().forEach(s -> next.addSignatures(ByteString.copyFrom(s.encode())));
    EscrowRecord built = next.build();
    open.put(hex, built);
    tx.put(StateKeys.escrow(hex), built.toByteArray());
    tx.onFailure(() -> {
      if (r == null) {
        open.remove(hex);
      } else {
        open.put(hex, r);
      }
    });
    if (r == null) {
      tx.afterCommit(() -> scheduleEnd(hex, end));
    }
  }

  private static List<PartySignature> with(List<PartySignature> list, PartySignature s) {
    List<PartySignature> all = new ArrayList<>(list);
    all.add(s);
    return all;
  }

  private Optional<RuntimeConversation> conversationOf(IdentityPublicKey identity) {
    byte[] encoded = identity.encoded();
    return peer.conversations().all().stream()
        .filter(x -> x.session().record().getEstablished()
            && java.util.Arrays.equals(x.session().record().getPeerIdentity().toByteArray(), encoded))
        .findFirst();
  }

  private void scheduleEnd(String hex, long at) {
    long delay = Math.max(0, at - System.currentTimeMillis());
    peer.timer().schedule(() -> peer.stage().later(tx -> {
      EscrowRecord r = open.remove(hex);
      if (r != null) {
        tx.delete(StateKeys.escrow(hex));
        tx.onFailure(() -> open.put(hex, r));
      }
      return null;
    }), delay, TimeUnit.MILLISECONDS);
  }
}
