package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Gap;
import dev.backchannel.api.Message;
import dev.backchannel.api.SafetyNumber;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MessageTooLargeException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.error.UndeliverableException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.SafetyNumbers;
import dev.backchannel.netty.internal.runtime.ContactRecord;
import dev.backchannel.netty.internal.runtime.InboxRecord;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.internal.runtime.UserMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * One contact's conversation as the application sees it: sends go to the serial stage, received
 * messages wait in the {@link Inbox}, listeners run on the peer's callback executor. Thread-safe.
 */
final class RuntimeConversation implements Conversation {
  /** Gaps kept for a listener not registered yet; older ones are merged into one. */
  private static final int MAX_PENDING_GAPS = 1000;

  private final PeerContext peer;
  private final ContactSession session;
  private final SafetyNumber safetyNumber;
  private final Inbox inbox = new Inbox();
  private volatile Function<RuntimeConversation, CompletableFuture<Void>> rotation;
  private volatile Consumer<Message> messageListener;
  private volatile LongConsumer deliveredListener;
  private volatile Consumer<dev.backchannel.api.Agreement> agreementListener;
  private Consumer<Gap> gapListener;
  private final List<Gap> pendingGaps = new ArrayList<>();
  /** Hand-outs whose removal may not be durable yet before the next one waits for them. */
  static final int MAX_UNCONFIRMED_HAND_OUTS = 32;
  private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();
  private CompletableFuture<Void> lastForget;
  private int unconfirmed;

  RuntimeConversation(PeerContext peer, ContactSession session) throws BackchannelException {
    this.peer = peer;
    this.session = session;
    IdentityPublicKey them = IdentityPublicKey.parse(session.snapshot().getPeerIdentity().toByteArray());
    this.safetyNumber = SafetyNumbers.of(peer.identity().publicKey(), them);
  }

  ContactSession session() {
    return session;
  }

  void rotation(Function<RuntimeConversation, CompletableFuture<Void>> r) {
    this.rotation = r;
  }

  /** Loads the messages a previous run stored and did not hand out. */
  void loadInbox() throws StateStoreException {
    for (String k : peer.store().keys(StateKeys.inboxPrefix(session.id()))) {
      byte[] v = peer.store().get(k).orElse(null);
      if (v == null) {
        continue;
      }
      try {
        InboxRecord r = InboxRecord.parseFrom(v);
        inbox.add(new Message(name(), r.getSequence(), Instant.ofEpochMilli(r.getSentAtMillis()),
            Instant.ofEpochMilli(r.getReceivedAtMillis()), r.getBody().toByteArray()));
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("inbox record is corrupt");
      }
    }
  }

  @Override
  public String name() {
    return session.snapshot().getName();
  }

  @Override
  public CompletableFuture<Long> send(byte[] payload) {
    if (peer.closed()) {
      return CompletableFuture.failedFuture(new StateStoreException("peer is closed"));
    }
    if (payload.length > MAX_MESSAGE_BYTES) {
      return CompletableFuture.failedFuture(new MessageTooLargeException(
          "a message holds at most " + MAX_MESSAGE_BYTES + " bytes; this one has " + payload.length));
    }
    ByteString body = ByteString.copyFrom(payload);
    CompletableFuture<Long> out = new CompletableFuture<>();
    peer.stage().submit(tx -> {
      if (!session.outboxAdmits(body.size() + 32)) {
        throw new UndeliverableException("the outbox is full (" + peer.config().outboxLimits().sends()
            + " sends or " + peer.config().outboxLimits().bytes() + " bytes wait for the relay)");
      }
      ContactRecord.Builder r = session.record();
      long seq = r.getNextSendSequence();
      r.setNextSendSequence(seq + 1);
      Payload p = Payload.newBuilder().setMessage(UserMessage.newBuilder()
          .setSequence(seq).setSentAtMillis(System.currentTimeMillis()).setBody(body)).build();
      return session.queue(tx, p, seq);
    }).thenCompose(f -> f).whenComplete((v, e) -> peer.callbacks().execute(() -> {
      peer.counters().sendFinished(e == null);
      if (e != null) {
        out.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
            ? e.getCause() : e);
      } else {
        out.complete(v);
      }
    }));
    return out;
  }

  @Override
  public CompletableFuture<Long> send(String text) {
    return send(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Seals any payload into the conversation, as a modified client could (for tests that play a
   * hostile contact against a real peer). Completes when the relay holds it.
   */
  CompletableFuture<Long> sendRawPayload(byte[] payload) {
    return peer.stage().submit(tx -> session.queue(tx,
        dev.backchannel.netty.internal.runtime.Payload.parseFrom(payload), 0)).thenCompose(f -> f);
  }

  /** What an envelope brought (stage, after the commit). */
  void arrived(InboundMessages.Result r) {
    peer.counters().arrived(r);
    if (r.gap() != null) {
      gap(r.gap());
    }
    LongConsumer d = deliveredListener;
    if (d != null && !r.delivered().isEmpty()) {
      List<Long> seqs = r.delivered();
      peer.callbacks().execute(() -> seqs.forEach(d::accept));
    }
    if (r.message() != null) {
      inbox.add(r.message());
      dispatch();
    }
  }

  private synchronized void gap(Gap g) {
    Consumer<Gap> l = gapListener;
    if (l != null) {
      peer.callbacks().execute(() -> l.accept(g));
      return;
    }
    if (pendingGaps.size() == MAX_PENDING_GAPS) {
      Gap first = pendingGaps.remove(0);
      Gap second = pendingGaps.remove(0);
      pendingGaps.add(0, new Gap(Math.min(first.from(), second.from()), Math.max(first.to(), second.to())));
    }
    pendingGaps.add(g);
  }

  /** Hands waiting messages to the listener, if there is one, on the callback executor. */
  private void dispatch() {
    if (messageListener != null && draining.compareAndSet(false, true)) {
      peer.callbacks().execute(this::drain);
    }
  }

  /**
   * Runs the listener for each waiting message, in order (callback executor). A message's removal
   * goes with a later batch; after {@link #MAX_UNCONFIRMED_HAND_OUTS} hand-outs the next one waits
   * until the removals are durable, so a crash repeats at most that many messages (and the one
   * whose listener was running).
   */
  private void drain() {
    try {
      for (Optional<Message> m; (m = inbox.take()).isPresent(); ) {
        Consumer<Message> l = messageListener;
        if (l == null) {
          inbox.putBack(m.get());
          return;
        }
        if (unconfirmed >= MAX_UNCONFIRMED_HAND_OUTS && lastForget != null) {
          try {
            lastForget.get(peer.config().networkTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
          } catch (Exception e) {
            // the store is failing or the peer closing: hand out anyway; the removal is retried
          }
          unconfirmed = 0;
        }
        try {
          l.accept(m.get());
        } finally {
          lastForget = forget(m.get());
          unconfirmed++;
        }
      }
    } finally {
      draining.set(false);
      if (inbox.size() > 0 && messageListener != null) {
        dispatch();
      }
    }
  }

  /** Removes a handed-out message with the next batch. */
  private CompletableFuture<Void> forget(Message m) {
    return peer.stage().later(tx -> {
      tx.delete(StateKeys.inbox(session.id(), m.sequence()));
      tx.afterCommit(() -> inbox.done(m.sequence()));
      return null;
    });
  }

  @Override
  public void onMessage(Consumer<Message> listener) {
    this.messageListener = listener;
    dispatch();
  }

  @Override
  public Optional<Message> poll() {
    Optional<Message> m = inbox.take();
    if (m.isEmpty()) {
      return m;
    }
    try {
      peer.stage().call(tx -> {
        tx.delete(StateKeys.inbox(session.id(), m.get().sequence()));
        return null;
      });
      inbox.done(m.get().sequence());
      return m;
    } catch (BackchannelException | RuntimeException e) {
      inbox.putBack(m.get());
      return Optional.empty();
    }
  }

  @Override
  public Optional<Message> receive(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<Message> m = poll();
      if (m.isPresent() || peer.closed()) {
        return m;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || !inbox.await(left)) {
        return Optional.empty();
      }
    }
  }

  /** Wakes receivers (on close). */
  void closing() {
    inbox.wake();
  }

  @Override
  public void onDelivered(LongConsumer listener) {
    this.deliveredListener = listener;
  }

  @Override
  public synchronized void onGap(Consumer<Gap> listener) {
    this.gapListener = listener;
    for (Gap g : pendingGaps) {
      peer.callbacks().execute(() -> listener.accept(g));
    }
    pendingGaps.clear();
  }

  @Override
  public int pendingSends() {
    return peer.outbox().pendingForContact(session.id());
  }

  @Override
  public SafetyNumber safetyNumber() {
    return safetyNumber;
  }

  @Override
  public boolean isVerified() {
    return session.snapshot().getVerified();
  }

  @Override
  public void markVerified() throws StateStoreException {
    try {
      peer.stage().call(tx -> {
        session.record().setVerified(true);
        tx.touch(session);
        return null;
      });
    } catch (StateStoreException e) {
      throw e;
    } catch (BackchannelException e) {
      throw new StateStoreException(e.getMessage(), e);
    }
  }

  @Override
  public boolean isEstablished() {
    return session.snapshot().getEstablished();
  }

  @Override
  public CompletableFuture<Void> rotateMailboxes() {
    if (peer.closed()) {
      return CompletableFuture.failedFuture(new StateStoreException("peer is closed"));
    }
    CompletableFuture<Void> out = new CompletableFuture<>();
    rotation.apply(this).whenComplete((v, e) -> peer.callbacks().execute(() -> {
      if (e != null) {
        out.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null
            ? e.getCause() : e);
      } else {
        out.complete(null);
      }
    }));
    return out;
  }

  @Override
  public dev.backchannel.api.Agreement propose(String title, String text, String ownLabel,
      java.time.Instant expiresAt) throws BackchannelException {
    return peer.agreements().propose(this, title, text, ownLabel, expiresAt);
  }

  @Override
  public void onAgreement(Consumer<dev.backchannel.api.Agreement> listener) {
    this.agreementListener = listener;
  }

  @Override
  public List<dev.backchannel.api.Agreement> agreements() {
    return peer.agreements().list(session.id());
  }

  /** An agreement of this conversation arrived or changed status (after the commit). */
  void agreementChanged(dev.backchannel.api.Agreement a) {
    Consumer<dev.backchannel.api.Agreement> l = agreementListener;
    if (l != null) {
      peer.callbacks().execute(() -> l.accept(a));
    }
  }

  @Override
  public dev.backchannel.api.Provenance provenance() {
    var r = session.snapshot();
    dev.backchannel.api.Provenance.Kind kind = r.getVerified() ? dev.backchannel.api.Provenance.Kind.VERIFIED
        : r.getProvenance() == 2 ? dev.backchannel.api.Provenance.Kind.INTRODUCED
        : dev.backchannel.api.Provenance.Kind.INVITATION;
    boolean introduced = r.getProvenance() == 2;
    return new dev.backchannel.api.Provenance(kind,
        introduced ? Optional.of(r.getIntroducerName()) : Optional.empty(),
        introduced ? Optional.of(r.getIntroducerFingerprint().toByteArray()) : Optional.empty());
  }

  @Override
  public String toString() {
    return "Conversation[" + name() + (isVerified() ? ", verified" : "") + "]";
  }
}
