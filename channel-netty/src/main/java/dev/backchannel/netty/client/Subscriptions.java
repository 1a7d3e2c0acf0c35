package dev.backchannel.netty.client;

import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.internal.wire.Frame;
import io.netty.channel.EventLoop;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link's mailbox subscriptions: subscribes, passes each delivery to its mailbox's listener on
 * the callback executor, subscribes again to every mailbox after each reconnect, and sends
 * acknowledgements batched ({@link AckBatcher}) only once the current connection's subscription
 * to their mailbox is confirmed, since the relay accepts an acknowledgement only from the
 * connection that subscribed.
 *
 * <p>A listener that throws is logged and does not stop deliveries. A failed acknowledgement is
 * logged: the envelope is delivered again and dropped by the receiver as a duplicate. State is
 * confined to the loop; {@link #subscribe}, {@link #acknowledge} and {@link #forget} may be
 * called from any thread. Owns copies of the owner keys and closes them with the link.
 */
final class Subscriptions {
  // Logged under the link's name, which is what operators configure.
  private static final Logger LOG = LoggerFactory.getLogger(RelayLink.class);

  private final LinkConnection connection;
  private final EventLoop loop;
  private final RequestTracker requests;
  private final RelayCommands commands;
  /** Where delivery listeners run. */
  private final Executor deliveries;

  // State below is touched on the loop only.
  private final Map<ByteBuffer, SubscriptionState> subscriptions = new LinkedHashMap<>();
  private final AckBatcher acks = new AckBatcher();
  private boolean ackFlushQueued;

  private record SubscriptionState(byte[] mailboxId, SecretBytes ownerKey, Consumer<Delivery> listener) {}

  Subscriptions(LinkConnection connection, RequestTracker requests, RelayCommands commands, Executor deliveries) {
    this.connection = connection;
    this.loop = connection.loop();
    this.requests = requests;
    this.commands = commands;
    this.deliveries = deliveries;
  }

  /**
   * Subscribes to a mailbox (id checked, key copied); the future completes on the loop with the
   * relay's answer. A refusal or failure forgets the subscription.
   */
  CompletableFuture<Frame> subscribe(byte[] mailboxId, SecretBytes ownerKey, Consumer<Delivery> listener) {
    SubscriptionState s = new SubscriptionState(mailboxId.clone(), ownerKey.copy(), listener);
    ByteBuffer key = ByteBuffer.wrap(s.mailboxId());
    // Registered before the request goes out: the relay pushes stored envelopes right after its
    // Ok, possibly in the same read, and none of them may find the mailbox unknown.
    loop.execute(() -> subscriptions.put(key, s));
    CompletableFuture<Frame> f = new CompletableFuture<>();
    loop.execute(() -> {
      long epoch = connection.epoch();
      requests.request(commands.subscribe(s.mailboxId(), s.ownerKey())).whenComplete((frame, err) -> {
        if (err != null || frame.hasError()) {
          loop.execute(() -> subscriptions.remove(key, s));
        } else {
          loop.execute(() -> subscriptionConfirmed(s, epoch));
        }
        if (err != null) {
          f.completeExceptionally(err);
        } else {
          f.complete(frame);
        }
      });
    });
    return f;
  }

  /** The connection is ready: subscribes again to every mailbox (on the loop). */
  void connected() {
    for (SubscriptionState s : subscriptions.values()) {
      long epoch = connection.epoch();
      requests.request(commands.subscribe(s.mailboxId(), s.ownerKey())).whenComplete((r, e) -> {
        if (e != null) {
          LOG.warn("re-subscribing after reconnect failed: {}", e.toString());
        } else if (!r.hasError()) {
          loop.execute(() -> subscriptionConfirmed(s, epoch));
        }
      });
    }
  }

  /**
   * The relay confirmed {@code s} on the connection of {@code epoch}: acknowledgements for it may go
   * out on that connection (on the loop).
   */
  private void subscriptionConfirmed(SubscriptionState s, long epoch) {
    ByteBuffer key = ByteBuffer.wrap(s.mailboxId());
    if (epoch == connection.epoch() && subscriptions.get(key) == s && connection.ready()) {
      acks.confirmed(key);
      flushAcks();
    }
  }

  /** Passes a pushed envelope to its mailbox's listener, if subscribed (on the loop). */
  void deliver(Frame frame) {
    var d = frame.getDeliver();
    SubscriptionState s = subscriptions.get(ByteBuffer.wrap(d.getMailboxId().toByteArray()));
    if (s == null) {
      return;
    }
    Delivery delivery = new Delivery(d.getMailboxId(), d.getMessageId(), d.getBody(), d.getSequence());
    deliveries.execute(() -> {
      try {
        s.listener().accept(delivery);
      } catch (RuntimeException e) {
        LOG.warn("a delivery listener threw: {}", e.toString());
      }
    });
  }

  /**
   * Queues acknowledgements of checked, copied {@code ids} in {@code mailbox}; they go out once
   * this connection's subscription to it is confirmed, and not at all if it is not subscribed.
   */
  void acknowledge(ByteBuffer mailbox, List<byte[]> ids) {
    loop.execute(() -> {
      if (!subscriptions.containsKey(mailbox)) {
        return;
      }
      acks.add(mailbox, ids);
      // One flush for every acknowledgement queued on the loop before it runs: one frame, not one each.
      if (!ackFlushQueued) {
        ackFlushQueued = true;
        loop.execute(() -> {
          ackFlushQueued = false;
          flushAcks();
        });
      }
    });
  }

  /** Writes every acknowledgement that may go out now (on the loop). */
  private void flushAcks() {
    if (!connection.ready()) {
      return;
    }
    for (AckBatcher.Batch b : acks.drain()) {
      requests.request(commands.acks(b)).whenComplete((r, e) -> {
        if (e != null || r.hasError()) {
          LOG.debug("acknowledging {} envelopes failed: {}", b.messageIds().size(),
              e != null ? e.toString() : r.getError().getReason());
        }
      });
    }
  }

  /** Forgets a mailbox being deleted, with its queued acknowledgements (any thread). */
  void forget(byte[] mailboxId) {
    byte[] id = mailboxId.clone();
    loop.execute(() -> {
      subscriptions.remove(ByteBuffer.wrap(id));
      acks.forget(ByteBuffer.wrap(id));
    });
  }

  /** The connection dropped: every subscription must be confirmed again (on the loop). */
  void lost() {
    acks.connectionLost();
  }

  /** The link is closing: closes the owner keys (on the loop). */
  void close() {
    subscriptions.values().forEach(s -> s.ownerKey().close());
  }
}
