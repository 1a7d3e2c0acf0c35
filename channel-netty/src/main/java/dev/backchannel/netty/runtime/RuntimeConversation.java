package dev.backchannel.netty.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Message;
import dev.backchannel.api.SafetyNumber;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.SafetyNumbers;
import dev.backchannel.netty.internal.runtime.ContactRecord;
import dev.backchannel.netty.internal.runtime.InboxRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * One contact's conversation. Its mutable parts (the contact record, the handed-out set, the
 * futures of queued sends) are touched on the peer's serial executor only.
 */
final class RuntimeConversation implements Conversation {
  private final RuntimePeer peer;
  private final String id;
  private volatile ContactRecord record;
  private final SafetyNumber safetyNumber;
  private volatile Consumer<Message> messageListener;
  private volatile LongConsumer deliveredListener;
  private volatile LongConsumer gapListener;
  private final Set<String> handedOut = new HashSet<>();
  private final Map<Long, CompletableFuture<Long>> awaitingSetup = new HashMap<>();
  private final Object arrivals = new Object();
  private final List<Long> pendingGaps = new ArrayList<>();

  RuntimeConversation(RuntimePeer peer, String id, ContactRecord record) throws BackchannelException {
    this.peer = peer;
    this.id = id;
    this.record = record;
    IdentityPublicKey them = IdentityPublicKey.parse(record.getPeerIdentity().toByteArray());
    this.safetyNumber = SafetyNumbers.of(peer.identityPublicKey(), them);
  }

  String id() {
    return id;
  }

  ContactRecord record() {
    return record;
  }

  void update(ContactRecord r) {
    record = r;
  }

  @Override
  public String name() {
    return record.getName();
  }

  @Override
  public CompletableFuture<Long> send(byte[] payload) {
    CompletableFuture<Long> result = new CompletableFuture<>();
    byte[] copy = payload.clone();
    peer.runSerial(() -> peer.send(this, copy, result));
    CompletableFuture<Long> out = new CompletableFuture<>();
    result.whenComplete((v, e) -> peer.callbacks().execute(() -> {
      if (e != null) {
        out.completeExceptionally(e);
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

  /** Remembers the future of a message queued until the contact's setup arrives (serial). */
  void awaitSetup(long seq, CompletableFuture<Long> result) {
    awaitingSetup.put(seq, result);
  }

  /** Completes a queued message's future when the relay has it (serial). */
  void track(CompletableFuture<Void> relayAck, byte[] seqBytes) {
    long seq = ByteBuffer.wrap(seqBytes).getLong();
    CompletableFuture<Long> f = awaitingSetup.remove(seq);
    if (f != null) {
      relayAck.whenComplete((v, e) -> {
        if (e != null) {
          f.completeExceptionally(e);
        } else {
          f.complete(seq);
        }
      });
    }
  }

  void gap(long seq) {
    synchronized (pendingGaps) {
      LongConsumer l = gapListener;
      if (l == null) {
        pendingGaps.add(seq); // reported when a listener is registered
        return;
      }
      peer.callbacks().execute(() -> l.accept(seq));
    }
  }

  void delivered(long seq) {
    LongConsumer l = deliveredListener;
    if (l != null) {
      peer.callbacks().execute(() -> l.accept(seq));
    }
  }

  /** Hands waiting inbox messages to the listener, if there is one (serial). */
  void dispatch() {
    synchronized (arrivals) {
      arrivals.notifyAll();
    }
    Consumer<Message> l = messageListener;
    if (l == null) {
      return;
    }
    try {
      for (String k : peer.store().keys(RuntimePeer.inboxPrefix(id))) {
        if (!handedOut.add(k)) {
          continue;
        }
        Message m = read(k);
        if (m == null) {
          continue;
        }
        peer.callbacks().execute(() -> {
          try {
            l.accept(m);
          } finally {
            // Forget it as soon as the listener has returned (on this thread, not behind other
            // work), so a crash can repeat at most the message whose listener was running.
            try {
              peer.store().commit(Map.of(), Set.of(k));
            } catch (StateStoreException e) {
              peer.runSerial(() -> handedOut.remove(k));
            }
          }
        });
      }
    } catch (StateStoreException e) {
      // retried at the next arrival
    }
  }

  private Message read(String key) throws StateStoreException {
    Optional<byte[]> v = peer.store().get(key);
    if (v.isEmpty()) {
      return null;
    }
    try {
      InboxRecord r = InboxRecord.parseFrom(v.get());
      return new Message(name(), r.getSequence(), Instant.ofEpochMilli(r.getSentAtMillis()),
          Instant.ofEpochMilli(r.getReceivedAtMillis()), r.getBody().toByteArray());
    } catch (InvalidProtocolBufferException e) {
      throw new StateStoreException("inbox record is corrupt");
    }
  }

  @Override
  public void onMessage(Consumer<Message> listener) {
    this.messageListener = listener;
    peer.runSerial(this::dispatch);
  }

  @Override
  public Optional<Message> poll() {
    try {
      return peer.call(() -> {
        for (String k : peer.store().keys(RuntimePeer.inboxPrefix(id))) {
          if (handedOut.contains(k)) {
            continue;
          }
          Message m = read(k);
          peer.store().commit(Map.of(), Set.of(k));
          return Optional.ofNullable(m);
        }
        return Optional.<Message>empty();
      });
    } catch (BackchannelException e) {
      return Optional.empty();
    }
  }

  @Override
  public Optional<Message> receive(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<Message> m = poll();
      if (m.isPresent()) {
        return m;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      synchronized (arrivals) {
        arrivals.wait(Math.max(1, Math.min(200, left / 1_000_000)));
      }
    }
  }

  @Override
  public void onDelivered(LongConsumer listener) {
    this.deliveredListener = listener;
  }

  @Override
  public void onGap(LongConsumer listener) {
    synchronized (pendingGaps) {
      this.gapListener = listener;
      for (long seq : pendingGaps) {
        peer.callbacks().execute(() -> listener.accept(seq));
      }
      pendingGaps.clear();
    }
  }

  @Override
  public SafetyNumber safetyNumber() {
    return safetyNumber;
  }

  @Override
  public boolean isVerified() {
    return record.getVerified();
  }

  @Override
  public void markVerified() throws StateStoreException {
    try {
      peer.call(() -> {
        peer.markVerified(this);
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
    return !record.getSendMailbox().isEmpty();
  }

  @Override
  public CompletableFuture<Void> rotateMailboxes() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    peer.runSerial(() -> peer.rotate(this, result));
    CompletableFuture<Void> out = new CompletableFuture<>();
    result.whenComplete((v, e) -> peer.callbacks().execute(() -> {
      if (e != null) {
        out.completeExceptionally(e);
      } else {
        out.complete(null);
      }
    }));
    return out;
  }

  /** Messages waiting in the inbox (for tests and tools). */
  List<String> inboxKeys() throws StateStoreException {
    return new ArrayList<>(peer.store().keys(RuntimePeer.inboxPrefix(id)));
  }

  @Override
  public String toString() {
    return "Conversation[" + name() + (isVerified() ? ", verified" : "") + "]";
  }
}
