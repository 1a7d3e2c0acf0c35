package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.IntroductionRequest;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.IntroductionClosedException;
import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.netty.internal.runtime.IntroductionConnect;
import dev.backchannel.netty.internal.runtime.IntroductionProposal;
import dev.backchannel.netty.internal.runtime.IntroductionRequestRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The introducee's side of introductions: the requests proposed to this peer, kept durably until
 * they are answered and end. Checks every proposal against its bounds before storing it (id,
 * label, note and expiry sizes, an identity that parses and is neither ours nor the introducer's,
 * at most {@link #MAX_PER_INTRODUCER} open per introducer and {@link #MAX_OPEN} in all), answers
 * on the local user's word only, and takes a connect or a close only from the request's
 * introducer in the right state; anything else is refused and logged. The handshake itself is
 * {@link IntroductionHandshakes}'s. Records change on the stage only.
 */
final class IntroductionRequests {
  private static final Logger LOG = LoggerFactory.getLogger(IntroductionRequests.class);
  static final int MAX_PER_INTRODUCER = 16;
  static final int MAX_OPEN = 64;
  static final int MAX_LABEL_CHARS = 64;
  /** How long a request that reached the handshake may take past its expiry. */
  static final Duration GRACE = Duration.ofDays(1);
  static final int PROPOSED = 0;
  static final int ACCEPTED = 1;
  static final int CONNECTING = 2;

  private final PeerContext peer;
  private final Map<String, IntroductionRequestRecord> records = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Conversation>> futures = new ConcurrentHashMap<>();
  private final List<IntroductionRequest> unseen = new ArrayList<>();
  private Consumer<IntroductionRequest> listener;
  private IntroductionHandshakes handshakes;

  IntroductionRequests(PeerContext peer) {
    this.peer = peer;
  }

  void handshakes(IntroductionHandshakes h) {
    this.handshakes = h;
  }

  /** Loads the requests, dropping those past their time (before the stage starts). */
  void load() throws BackchannelException {
    for (String k : peer.store().keys(StateKeys.INTRODUCTION_REQUEST_PREFIX)) {
      IntroductionRequestRecord r;
      try {
        r = IntroductionRequestRecord.parseFrom(peer.store().get(k).orElseThrow());
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("introduction request " + k + " is corrupt");
      }
      records.put(k, r);
      scheduleExpiry(k, r);
    }
  }

  Optional<IntroductionRequestRecord> get(String key) {
    return Optional.ofNullable(records.get(key));
  }

  Map<String, IntroductionRequestRecord> all() {
    return records;
  }

  /** Whether an accepted request reserves {@code name} (other than {@code except}). */
  boolean nameTaken(String name, String except) {
    return records.entrySet().stream().anyMatch(e -> !e.getKey().equals(except)
        && e.getValue().getState() != PROPOSED && e.getValue().getLocalName().equals(name));
  }

  /** The requests waiting for the local user's answer, oldest first. */
  List<IntroductionRequest> pending() {
    long now = System.currentTimeMillis();
    List<IntroductionRequest> out = new ArrayList<>();
    records.entrySet().stream()
        .filter(e -> e.getValue().getState() == PROPOSED && e.getValue().getExpiresAtMillis() > now)
        .sorted(Comparator.comparingLong(e -> e.getValue().getReceivedAtMillis()))
        .forEach(e -> out.add(handle(e.getKey(), e.getValue())));
    return out;
  }

  private IntroductionRequest handle(String key, IntroductionRequestRecord r) {
    String from = peer.conversations().byId(r.getIntroducerContact()).map(RuntimeConversation::name).orElse("");
    return new RuntimeIntroductionRequest(this, key, r, from);
  }

  void onIntroduction(Consumer<IntroductionRequest> l) {
    List<IntroductionRequest> missed;
    synchronized (unseen) {
      listener = l;
      missed = new ArrayList<>(unseen);
      unseen.clear();
    }
    missed.forEach(r -> peer.callbacks().execute(() -> l.accept(r)));
  }

  /** A proposal from contact {@code c} (stage). */
  void proposed(StateTransaction tx, RuntimeConversation c, IntroductionProposal p) {
    String problem = check(c, p);
    if (problem != null) {
      LOG.warn("refusing an introduction proposal: {}", problem);
      return;
    }
    String key = StateKeys.introductionRequest(c.session().id(), HexFormat.of().formatHex(p.getId().toByteArray()));
    if (records.containsKey(key)) {
      LOG.info("ignoring a repeated introduction proposal");
      return;
    }
    long fromThis = records.values().stream().filter(r -> r.getIntroducerContact().equals(c.session().id())).count();
    if (fromThis >= MAX_PER_INTRODUCER || records.size() >= MAX_OPEN) {
      LOG.warn("refusing an introduction proposal: too many are open");
      return;
    }
    IdentityPublicKey other = parse(p.getIdentity());
    byte[] mine = peer.identity().publicKey().fingerprint();
    IntroductionRequestRecord r = IntroductionRequestRecord.newBuilder().setVersion(1).setId(p.getId())
        .setIntroducerContact(c.session().id()).setLabel(p.getLabel()).setIdentity(p.getIdentity())
        .setNote(p.getNote()).setExpiresAtMillis(p.getExpiresAtMillis()).setState(PROPOSED)
        .setInitiator(IntroductionBinding.initiates(mine, other.fingerprint()))
        .setReceivedAtMillis(System.currentTimeMillis()).build();
    put(tx, key, r);
    tx.afterCommit(() -> {
      scheduleExpiry(key, r);
      IntroductionRequest h = handle(key, r);
      Consumer<IntroductionRequest> l;
      synchronized (unseen) {
        l = listener;
        if (l == null) {
          unseen.add(h);
          return;
        }
      }
      peer.callbacks().execute(() -> l.accept(h));
    });
  }

  /** Why {@code p} is refused, or null. */
  private String check(RuntimeConversation c, IntroductionProposal p) {
    long now = System.currentTimeMillis();
    if (p.getId().size() != 16) {
      return "its id is not 16 bytes";
    }
    String label = p.getLabel();
    if (label.isBlank() || label.length() > MAX_LABEL_CHARS || label.chars().anyMatch(Character::isISOControl)) {
      return "its label is not 1.." + MAX_LABEL_CHARS + " printable characters";
    }
    if (p.getNote().length() > Introducer.MAX_NOTE_CHARS
        || p.getNote().chars().anyMatch(Character::isISOControl)) {
      return "its note is too long or not printable";
    }
    if (p.getExpiresAtMillis() <= now
        || p.getExpiresAtMillis() > now + Introducer.MAX_VALIDITY.toMillis() + Duration.ofMinutes(5).toMillis()) {
      return "its expiry is past or too far ahead";
    }
    IdentityPublicKey other = parse(p.getIdentity());
    if (other == null) {
      return "its identity does not parse";
    }
    if (other.equals(peer.identity().publicKey())) {
      return "it proposes this peer to itself";
    }
    if (p.getIdentity().equals(c.session().record().getPeerIdentity())) {
      return "it proposes the introducer itself";
    }
    return null;
  }

  static IdentityPublicKey parse(ByteString identity) {
    try {
      return IdentityPublicKey.parse(identity.toByteArray());
    } catch (BackchannelException e) {
      return null;
    }
  }

  /** The local user accepts (caller's thread). */
  CompletableFuture<Conversation> accept(String key, String name) throws BackchannelException {
    return handshakes.accept(key, name);
  }

  /** The local user declines (caller's thread). */
  void decline(String key) throws BackchannelException {
    peer.stage().call(tx -> {
      IntroductionRequestRecord r = live(key, PROPOSED);
      RuntimeConversation introducer = introducer(r);
      introducer.session().queue(tx, dev.backchannel.netty.internal.runtime.Payload.newBuilder()
          .setIntroductionDecline(dev.backchannel.netty.internal.runtime.IntroductionDecline.newBuilder()
              .setId(r.getId())).build(), 0);
      end(tx, key, "declined here");
      return null;
    });
  }

  /** The record at {@code key} if it is in {@code state} and not expired (stage). */
  IntroductionRequestRecord live(String key, int state) throws BackchannelException {
    IntroductionRequestRecord r = records.get(key);
    if (r == null || r.getState() != state || r.getExpiresAtMillis() <= System.currentTimeMillis()) {
      throw new IntroductionClosedException("no pending introduction with that id (it was answered, closed or expired)");
    }
    return r;
  }

  RuntimeConversation introducer(IntroductionRequestRecord r) throws BackchannelException {
    return peer.conversations().byId(r.getIntroducerContact()).orElseThrow(() ->
        new IntroductionClosedException("the introducer is no longer a contact"));
  }

  /** A connect from contact {@code c} (stage): the initiator gets the responder's invitation. */
  void connect(StateTransaction tx, RuntimeConversation c, IntroductionConnect m) {
    String key = StateKeys.introductionRequest(c.session().id(), HexFormat.of().formatHex(m.getId().toByteArray()));
    IntroductionRequestRecord r = records.get(key);
    if (r == null || r.getState() != ACCEPTED) {
      LOG.warn("refusing an introduction connect for an unknown id or in the wrong state");
      return;
    }
    if (!r.getInitiator()) {
      if (!m.getInvitation().isEmpty()) {
        LOG.warn("refusing an introduction connect that hands the responder an invitation");
        return;
      }
      put(tx, key, r.toBuilder().setState(CONNECTING).build());
      return;
    }
    try {
      Invitation inv = Invitation.parse(m.getInvitation());
      IdentityPublicKey expected = parse(r.getIdentity());
      if (expected == null || !expected.hasFingerprint(inv.inviterFingerprint())) {
        LOG.warn("closing an introduction whose invitation is not the proposed party's");
        end(tx, key, "the introducer's invitation is not the proposed party's");
        return;
      }
    } catch (InvalidInvitationException e) {
      LOG.warn("closing an introduction whose invitation is invalid: {}", e.reason());
      end(tx, key, "the introducer's invitation is invalid");
      return;
    }
    put(tx, key, r.toBuilder().setState(CONNECTING).setPeerInvitation(m.getInvitation()).build());
    tx.afterCommit(() -> handshakes.initiate(key));
  }

  /** A close from contact {@code c} (stage): declined by the other side, or expired. */
  void closed(StateTransaction tx, RuntimeConversation c, ByteString id) {
    String key = StateKeys.introductionRequest(c.session().id(), HexFormat.of().formatHex(id.toByteArray()));
    IntroductionRequestRecord r = records.get(key);
    if (r == null || r.getState() > ACCEPTED) {
      LOG.warn("refusing an introduction close for an unknown id or in the wrong state");
      return;
    }
    end(tx, key, "the introduction was closed");
  }

  /** Stores {@code r} at {@code key} (stage). */
  void put(StateTransaction tx, String key, IntroductionRequestRecord r) {
    IntroductionRequestRecord before = records.put(key, r);
    tx.put(key, r.toByteArray());
    tx.onFailure(() -> {
      if (before == null) {
        records.remove(key);
      } else {
        records.put(key, before);
      }
    });
  }

  /** Registers the future an accept returned (stage). */
  void awaiting(String key, CompletableFuture<Conversation> f) {
    futures.put(key, f);
  }

  /** The request connected: its record goes, its future completes (stage). */
  void connected(StateTransaction tx, String key, RuntimeConversation c) {
    remove(tx, key);
    tx.afterCommit(() -> {
      CompletableFuture<Conversation> f = futures.remove(key);
      if (f != null) {
        peer.callbacks().execute(() -> f.complete(c));
      }
    });
  }

  /** Ends the request without a contact: withdraws what it made, fails its future (stage). */
  void end(StateTransaction tx, String key, String why) {
    IntroductionRequestRecord r = remove(tx, key);
    if (r == null) {
      return;
    }
    handshakes.abandon(tx, r);
    tx.afterCommit(() -> {
      CompletableFuture<Conversation> f = futures.remove(key);
      if (f != null) {
        peer.callbacks().execute(() -> f.completeExceptionally(new IntroductionClosedException(why)));
      }
    });
  }

  private IntroductionRequestRecord remove(StateTransaction tx, String key) {
    IntroductionRequestRecord r = records.remove(key);
    if (r != null) {
      tx.delete(key);
      tx.onFailure(() -> records.put(key, r));
    }
    return r;
  }

  /** Ends the request at its expiry (after {@link #GRACE} once the handshake began). */
  private void scheduleExpiry(String key, IntroductionRequestRecord r) {
    long at = r.getState() >= CONNECTING ? r.getExpiresAtMillis() + GRACE.toMillis() : r.getExpiresAtMillis();
    long delay = Math.max(0, at - System.currentTimeMillis());
    peer.timer().schedule(() -> peer.stage().later(tx -> {
      IntroductionRequestRecord now = records.get(key);
      if (now == null) {
        return null;
      }
      if (now.getState() >= CONNECTING && at == now.getExpiresAtMillis()) {
        scheduleExpiry(key, now);
        return null;
      }
      end(tx, key, "the introduction expired");
      return null;
    }), delay, TimeUnit.MILLISECONDS);
  }

  /** Fails the waiting futures: the peer is closing. */
  void closing() {
    futures.values().forEach(f -> peer.callbacks().execute(() ->
        f.completeExceptionally(new StateStoreException("peer is closed"))));
    futures.clear();
  }
}
