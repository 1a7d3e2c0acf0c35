package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Introduction;
import dev.backchannel.api.IntroductionOutcome;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.netty.internal.runtime.IntroductionAccept;
import dev.backchannel.netty.internal.runtime.IntroductionClosed;
import dev.backchannel.netty.internal.runtime.IntroductionConnect;
import dev.backchannel.netty.internal.runtime.IntroductionProposal;
import dev.backchannel.netty.internal.runtime.IntroductionRecord;
import dev.backchannel.netty.internal.runtime.Payload;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The introducer's side of introductions, on the stage: proposes to both contacts, collects their
 * answers, forwards the responder's invitation to the initiator only once both accepted, and
 * tells the other side only "closed" on a decline or an expiry. An answer from a contact that is
 * not a party, for an unknown id, in the wrong state, or malformed is refused and logged. A
 * finished introduction's record is deleted (an answer for it afterwards is an unknown id).
 */
final class Introducer {
  private static final Logger LOG = LoggerFactory.getLogger(Introducer.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  static final int MAX_NOTE_CHARS = 500;
  static final int MAX_OPEN = 64;
  static final Duration MIN_VALIDITY = Duration.ofSeconds(1);
  static final Duration MAX_VALIDITY = Duration.ofDays(30);
  static final int AWAITING = 0;
  static final int CONNECTED = 1;
  static final int CLOSED = 2;
  static final int EXPIRED = 3;

  private final PeerContext peer;
  /** Open introductions by hex id (stage-written). */
  private final Map<String, IntroductionRecord> open = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<IntroductionOutcome>> outcomes = new ConcurrentHashMap<>();

  Introducer(PeerContext peer) {
    this.peer = peer;
  }

  /** Loads the open introductions and schedules their expiry (before the stage starts). */
  void load() throws BackchannelException {
    for (String k : peer.store().keys(StateKeys.INTRODUCTION_PREFIX)) {
      try {
        IntroductionRecord r = IntroductionRecord.parseFrom(peer.store().get(k).orElseThrow());
        String id = HexFormat.of().formatHex(r.getId().toByteArray());
        open.put(id, r);
        outcomes.put(id, new CompletableFuture<>());
        scheduleExpiry(id, r.getExpiresAtMillis());
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("introduction record " + k + " is corrupt");
      }
    }
  }

  /** Proposes the introduction to both (caller's thread; waits for the state to be durable). */
  Introduction introduce(Conversation first, Conversation second, String note, Duration validity)
      throws BackchannelException {
    if (!(first instanceof RuntimeConversation a) || !(second instanceof RuntimeConversation b)) {
      throw new MalformedInputException("both conversations must belong to this peer");
    }
    String n = note == null ? "" : note;
    if (n.length() > MAX_NOTE_CHARS || n.chars().anyMatch(Character::isISOControl)) {
      throw new MalformedInputException("an introduction note must be at most " + MAX_NOTE_CHARS
          + " printable characters");
    }
    if (validity == null || validity.compareTo(MIN_VALIDITY) < 0 || validity.compareTo(MAX_VALIDITY) > 0) {
      throw new MalformedInputException("introduction validity must be between 1 second and 30 days");
    }
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    String hex = HexFormat.of().formatHex(id);
    long expires = Instant.now().plus(validity).toEpochMilli();
    CompletableFuture<IntroductionOutcome> outcome = new CompletableFuture<>();
    peer.stage().call(tx -> {
      if (peer.conversations().byId(a.session().id()).orElse(null) != a
          || peer.conversations().byId(b.session().id()).orElse(null) != b) {
        throw new MalformedInputException("both conversations must belong to this peer");
      }
      IdentityPublicKey ia = identity(a);
      IdentityPublicKey ib = identity(b);
      if (a == b || ia.equals(ib)) {
        throw new MalformedInputException("a contact cannot be introduced to itself");
      }
      if (!a.session().record().getEstablished() || !b.session().record().getEstablished()) {
        throw new MalformedInputException("both conversations must be established (each contact has answered)");
      }
      if (open.size() >= MAX_OPEN) {
        throw new QuotaExceededException("at most " + MAX_OPEN + " introductions may be open at once");
      }
      IntroductionRecord r = IntroductionRecord.newBuilder().setVersion(1).setId(ByteString.copyFrom(id))
          .setFirstContact(a.session().id()).setSecondContact(b.session().id()).setNote(n)
          .setExpiresAtMillis(expires).setState(AWAITING).setCreatedAtMillis(System.currentTimeMillis()).build();
      tx.put(StateKeys.introduction(hex), r.toByteArray());
      a.session().queue(tx, proposal(id, expires, n, b.name(), ib), 0);
      b.session().queue(tx, proposal(id, expires, n, a.name(), ia), 0);
      open.put(hex, r);
      outcomes.put(hex, outcome);
      tx.onFailure(() -> {
        open.remove(hex);
        outcomes.remove(hex);
      });
      return null;
    });
    scheduleExpiry(hex, expires);
    return new Introduction(hex, a.name(), b.name(), Instant.ofEpochMilli(expires), outcome);
  }

  private static IdentityPublicKey identity(RuntimeConversation c) throws BackchannelException {
    return IdentityPublicKey.parse(c.session().record().getPeerIdentity().toByteArray());
  }

  private static Payload proposal(byte[] id, long expires, String note, String label, IdentityPublicKey other) {
    return Payload.newBuilder().setIntroductionProposal(IntroductionProposal.newBuilder()
        .setId(ByteString.copyFrom(id)).setExpiresAtMillis(expires).setNote(note)
        .setLabel(label).setIdentity(ByteString.copyFrom(other.encoded()))).build();
  }

  /** Which party {@code c} is in {@code r}: 1, 2, or 0 for neither. */
  private static int party(IntroductionRecord r, RuntimeConversation c) {
    if (c.session().id().equals(r.getFirstContact())) {
      return 1;
    }
    return c.session().id().equals(r.getSecondContact()) ? 2 : 0;
  }

  /** An accept from contact {@code c} (stage). */
  void accepted(StateTransaction tx, RuntimeConversation c, IntroductionAccept m) {
    String hex = HexFormat.of().formatHex(m.getId().toByteArray());
    IntroductionRecord r = open.get(hex);
    int party = r == null ? 0 : party(r, c);
    if (party == 0) {
      LOG.warn("refusing an introduction answer for an unknown introduction or from a contact not in it");
      return;
    }
    if (party == 1 ? r.getFirstAccepted() : r.getSecondAccepted()) {
      return; // a repeat
    }
    RuntimeConversation other = peer.conversations().byId(party == 1 ? r.getSecondContact() : r.getFirstContact())
        .orElse(null);
    if (other == null) {
      LOG.warn("an introduced contact is gone: closing the introduction");
      finish(tx, hex, r, CLOSED, c);
      return;
    }
    byte[] mine;
    byte[] theirs;
    try {
      mine = identity(c).fingerprint();
      theirs = identity(other).fingerprint();
    } catch (BackchannelException e) {
      LOG.warn("an introduced contact's identity does not parse: {}", e.toString());
      return;
    }
    boolean responder = !IntroductionBinding.initiates(mine, theirs);
    if (responder != !m.getInvitation().isEmpty()) {
      LOG.warn("refusing an introduction accept whose invitation does not fit the sender's role");
      return;
    }
    if (responder) {
      try {
        Invitation inv = Invitation.parse(m.getInvitation());
        if (!java.security.MessageDigest.isEqual(inv.inviterFingerprint(), mine)) {
          LOG.warn("refusing an introduction accept whose invitation is not the sender's own");
          return;
        }
      } catch (InvalidInvitationException e) {
        LOG.warn("refusing an introduction accept whose invitation is invalid: {}", e.reason());
        return;
      }
    }
    IntroductionRecord.Builder b = r.toBuilder();
    if (party == 1) {
      b.setFirstAccepted(true).setFirstInvitation(m.getInvitation());
    } else {
      b.setSecondAccepted(true).setSecondInvitation(m.getInvitation());
    }
    IntroductionRecord next = b.build();
    if (!next.getFirstAccepted() || !next.getSecondAccepted()) {
      put(tx, hex, next);
      return;
    }
    // Both accepted: the initiator gets the responder's invitation, the responder only the go-ahead.
    RuntimeConversation first = party == 1 ? c : other;
    RuntimeConversation second = party == 1 ? other : c;
    String invitation = next.getFirstInvitation().isEmpty() ? next.getSecondInvitation() : next.getFirstInvitation();
    boolean firstResponds = !next.getFirstInvitation().isEmpty();
    first.session().queue(tx, connect(m.getId(), firstResponds ? "" : invitation), 0);
    second.session().queue(tx, connect(m.getId(), firstResponds ? invitation : ""), 0);
    finish(tx, hex, next, CONNECTED, null);
  }

  private static Payload connect(ByteString id, String invitation) {
    return Payload.newBuilder().setIntroductionConnect(IntroductionConnect.newBuilder()
        .setId(id).setInvitation(invitation)).build();
  }

  /** A decline from contact {@code c} (stage): the other side hears only "closed". */
  void declined(StateTransaction tx, RuntimeConversation c, ByteString id) {
    String hex = HexFormat.of().formatHex(id.toByteArray());
    IntroductionRecord r = open.get(hex);
    if (r == null || party(r, c) == 0) {
      LOG.warn("refusing an introduction decline for an unknown introduction or from a contact not in it");
      return;
    }
    finish(tx, hex, r, CLOSED, c);
  }

  /** Ends {@code r}; tells "closed" to each party except {@code except} when it did not connect. */
  private void finish(StateTransaction tx, String hex, IntroductionRecord r, int state, RuntimeConversation except) {
    if (state != CONNECTED) {
      for (String cid : new String[] {r.getFirstContact(), r.getSecondContact()}) {
        peer.conversations().byId(cid).filter(x -> x != except).ifPresent(x -> x.session().queue(tx,
            Payload.newBuilder().setIntroductionClosed(IntroductionClosed.newBuilder().setId(r.getId())).build(), 0));
      }
    }
    tx.delete(StateKeys.introduction(hex));
    open.remove(hex);
    tx.onFailure(() -> open.put(hex, r));
    IntroductionOutcome o = switch (state) {
      case CONNECTED -> IntroductionOutcome.CONNECTED;
      case EXPIRED -> IntroductionOutcome.EXPIRED;
      default -> IntroductionOutcome.CLOSED;
    };
    tx.afterCommit(() -> {
      CompletableFuture<IntroductionOutcome> f = outcomes.remove(hex);
      if (f != null) {
        peer.callbacks().execute(() -> f.complete(o));
      }
    });
  }

  private void put(StateTransaction tx, String hex, IntroductionRecord next) {
    IntroductionRecord before = open.put(hex, next);
    tx.put(StateKeys.introduction(hex), next.toByteArray());
    tx.onFailure(() -> open.put(hex, before));
  }

  private void scheduleExpiry(String hex, long at) {
    long delay = Math.max(0, at - System.currentTimeMillis());
    peer.timer().schedule(() -> peer.stage().later(tx -> {
      IntroductionRecord r = open.get(hex);
      if (r != null) {
        finish(tx, hex, r, EXPIRED, null);
      }
      return null;
    }), delay, TimeUnit.MILLISECONDS);
  }

  /** Fails the waiting futures: the peer is closing. */
  void closing() {
    outcomes.values().forEach(f -> peer.callbacks().execute(() ->
        f.completeExceptionally(new StateStoreException("peer is closed"))));
    outcomes.clear();
  }
}
