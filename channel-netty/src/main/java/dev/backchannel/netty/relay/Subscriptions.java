package dev.backchannel.netty.relay;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.backchannel.netty.relay.store.AppendNotices;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import dev.backchannel.netty.internal.wire.Deliver;
import dev.backchannel.netty.internal.wire.Frame;
import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which connection listens on which mailbox, and the pump that pushes stored envelopes to it in
 * order: catch-up on subscribe, then each new envelope, reading from the store off the event loop
 * and writing only while the channel is writable (a slow receiver slows only itself). With a store
 * shared by several relay nodes ({@link AppendNotices}), a subscription here also subscribes to
 * the store's notices for the mailbox, and a notice (another node's append, or a confirmed
 * resubscription) pumps from the store again.
 */
final class Subscriptions {
  private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);
  /** Envelopes read from the store per pump step. */
  static final int BATCH = 32;
  /** Delay before a pump refused by the busy store executor tries again. */
  static final long RETRY_MILLIS = 50;

  private final MailboxStore store;
  private final Executor storeExecutor;
  private final RelayCounters counters;
  private final Map<ByteBuffer, Subscription> byMailbox = new ConcurrentHashMap<>();
  private final AppendNotices notices;
  /** Striped locks: a mailbox's map change and its notice (un)subscription are issued in order. */
  private final Object[] locks = new Object[64];

  Subscriptions(MailboxStore store, Executor storeExecutor, RelayCounters counters) {
    this.store = store;
    this.storeExecutor = storeExecutor;
    this.counters = counters;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new Object();
    }
    notices = store instanceof AppendNotices n ? n : null;
    if (notices != null) {
      notices.onRemoteAppend(this::remoteAppend);
    }
  }

  private Object lock(ByteBuffer key) {
    return locks[key.hashCode() & (locks.length - 1)];
  }

  /** Another node appended to the mailbox (or its notices were resubscribed): read it again. */
  private void remoteAppend(byte[] mailboxId) {
    Subscription s = byMailbox.get(ByteBuffer.wrap(mailboxId));
    if (s != null) {
      s.poke();
    }
  }

  /** One connection subscribed to one mailbox. State is touched on the channel's event loop only. */
  final class Subscription {
    final Channel channel;
    final byte[] mailboxId;
    final byte[] ownerKey;
    private long nextSequence;
    private boolean pumping;
    private boolean again;
    private volatile boolean active = true;

    Subscription(Channel channel, byte[] mailboxId, byte[] ownerKey) {
      this.channel = channel;
      this.mailboxId = mailboxId;
      this.ownerKey = ownerKey;
    }

    /** Schedules a pump on the channel's event loop. */
    void poke() {
      channel.eventLoop().execute(this::pump);
    }

    /**
     * A new envelope is durable: delivers it straight from memory when this subscriber is caught
     * up (it is exactly the next sequence, no read is in flight and the channel is writable);
     * otherwise pumps from the store as usual. Either way each envelope goes out once, in order.
     */
    void offer(NewEnvelope e) {
      channel.eventLoop().execute(() -> {
        if (!active || !channel.isActive()) {
          return;
        }
        if (pumping || e.sequence() != nextSequence || !channel.isWritable()) {
          pump();
          return;
        }
        channel.writeAndFlush(deliverFrame(e.messageId(), e.sequence(), e.body()));
        nextSequence = e.sequence() + 1;
        counters.delivered.incrementAndGet();
      });
    }

    private Frame deliverFrame(byte[] messageId, long sequence, ByteString body) {
      return Frame.newBuilder()
          .setDeliver(Deliver.newBuilder()
              .setMailboxId(ByteString.copyFrom(mailboxId))
              .setMessageId(ByteString.copyFrom(messageId))
              .setBody(body)
              .setSequence(sequence))
          .build();
    }

    private void pump() {
      if (!active || !channel.isActive()) {
        return;
      }
      if (pumping) {
        again = true;
        return;
      }
      if (!channel.isWritable()) {
        return; // resumed by channelWritabilityChanged
      }
      pumping = true;
      again = false;
      long from = nextSequence;
      try {
        storeExecutor.execute(() -> {
          List<StoredEnvelope> batch;
          try {
            batch = store.read(mailboxId, from, BATCH);
          } catch (Exception e) {
            LOG.warn("reading mailbox {} failed: {}", RelayConnectionHandler.shortId(mailboxId), e.toString());
            channel.eventLoop().execute(() -> pumping = false);
            return;
          }
          channel.eventLoop().execute(() -> deliver(batch));
        });
      } catch (RejectedExecutionException e) {
        pumping = false; // the store threads are busy (or shutting down): try again shortly
        channel.eventLoop().schedule(this::pump, RETRY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }

    private void deliver(List<StoredEnvelope> batch) {
      pumping = false;
      if (!active || !channel.isActive()) {
        return;
      }
      for (StoredEnvelope e : batch) {
        if (e.sequence() < nextSequence) {
          continue; // already handed out from memory while this read was in flight
        }
        // body() is a fresh copy no one else holds: wrap it instead of copying it again.
        channel.write(deliverFrame(e.messageId(), e.sequence(), UnsafeByteOperations.unsafeWrap(e.body())));
        nextSequence = e.sequence() + 1;
        counters.delivered.incrementAndGet();
      }
      channel.flush();
      if (batch.size() == BATCH || again) {
        pump();
      }
    }

    void cancel() {
      active = false;
    }
  }

  /** Registers {@code s}, replacing (and cancelling) an earlier subscriber of the mailbox. */
  void add(Subscription s) {
    ByteBuffer key = ByteBuffer.wrap(s.mailboxId);
    Subscription old;
    synchronized (lock(key)) {
      old = byMailbox.put(key, s);
      if (notices != null) {
        notices.subscribe(s.mailboxId).whenComplete((v, e) -> {
          if (e != null) {
            LOG.warn("notices for mailbox {} unavailable: {}", RelayConnectionHandler.shortId(s.mailboxId), e.toString());
          }
          s.poke(); // read again: what was appended before the subscription took effect
        });
      }
    }
    if (old != null && old != s) {
      old.cancel();
    }
    s.poke();
  }

  Subscription create(Channel channel, byte[] mailboxId, byte[] ownerKey) {
    return new Subscription(channel, mailboxId, ownerKey);
  }

  /** Removes {@code s} if it is still the mailbox's subscriber. */
  void remove(Subscription s) {
    s.cancel();
    ByteBuffer key = ByteBuffer.wrap(s.mailboxId);
    synchronized (lock(key)) {
      if (byMailbox.remove(key, s) && notices != null) {
        notices.unsubscribe(s.mailboxId);
      }
    }
  }

  /**
   * An envelope the relay just made durable, as it arrived: its body is the received frame's
   * (immutable) bytes, handed on to a caught-up subscriber without a copy.
   */
  record NewEnvelope(byte[] mailboxId, byte[] messageId, long sequence, ByteString body) {}

  /** A new envelope is durable: hand it to its mailbox's subscriber, if any (any thread). */
  void stored(NewEnvelope envelope) {
    Subscription s = byMailbox.get(ByteBuffer.wrap(envelope.mailboxId()));
    if (s != null) {
      s.offer(envelope);
    }
  }
}
