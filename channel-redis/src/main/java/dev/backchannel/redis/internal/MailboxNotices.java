package dev.backchannel.redis.internal;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-node append notices over sharded pub/sub. The append script publishes
 * {@code mailbox_id[32] || origin[16]} on the mailbox's channel ({@link RedisKeys#channel}) with
 * {@code SPUBLISH}; a node {@code SSUBSCRIBE}s to the mailboxes it serves and hands each notice
 * whose origin is not its own to the listeners, on {@code callbacks}. Pub/sub is lossy (a
 * reconnect, failover or slot move drops notices): a notice is a hint to read again, never a
 * delivery, and a subscriber reads the mailbox again after every (re)subscription. The pub/sub
 * connection is opened on the first subscription. Thread-safe.
 */
public final class MailboxNotices implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MailboxNotices.class);
  private static final int ID_LENGTH = 32;

  private final RedisClusterClient client;
  private final RedisKeys keys;
  private final byte[] origin;
  private final Executor callbacks;
  private final List<Consumer<byte[]>> listeners = new CopyOnWriteArrayList<>();
  private StatefulRedisClusterPubSubConnection<byte[], byte[]> pubsub;
  private boolean closed;

  /** Notices for {@code client}'s cluster; {@code origin} marks this node's own appends. */
  public MailboxNotices(RedisClusterClient client, RedisKeys keys, byte[] origin, Executor callbacks) {
    this.client = client;
    this.keys = keys;
    this.origin = origin.clone();
    this.callbacks = callbacks;
  }

  /** The message an append publishes for {@code mailboxId}. */
  public byte[] message(byte[] mailboxId) {
    byte[] m = Arrays.copyOf(mailboxId, ID_LENGTH + origin.length);
    System.arraycopy(origin, 0, m, ID_LENGTH, origin.length);
    return m;
  }

  /**
   * Adds a listener called with the mailbox id of each notice from another node, and after each
   * confirmed (re)subscription (Lettuce resubscribes after a reconnect). Opens the connection.
   */
  public void onRemoteAppend(Consumer<byte[]> listener) {
    listeners.add(listener);
    connection();
  }

  /** Subscribes to a mailbox's notices; completes once the node owning its slot confirmed. */
  public CompletableFuture<Void> subscribe(byte[] mailboxId) {
    try {
      return connection().async().ssubscribe(keys.channel(mailboxId)).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(Failures.translate(e));
    }
  }

  /** Stops a mailbox's notices. */
  public CompletableFuture<Void> unsubscribe(byte[] mailboxId) {
    synchronized (this) {
      if (pubsub == null) {
        return CompletableFuture.completedFuture(null);
      }
    }
    return connection().async().sunsubscribe(keys.channel(mailboxId)).toCompletableFuture();
  }

  private synchronized StatefulRedisClusterPubSubConnection<byte[], byte[]> connection() {
    if (closed) {
      throw new IllegalStateException("the store is closed");
    }
    if (pubsub == null) {
      StatefulRedisClusterPubSubConnection<byte[], byte[]> c = client.connectPubSub(ByteArrayCodec.INSTANCE);
      c.setNodeMessagePropagation(true);
      c.addListener(new RedisClusterPubSubAdapter<>() {
        @Override
        public void smessage(RedisClusterNode node, byte[] channel, byte[] message) {
          deliver(message);
        }

        @Override
        public void ssubscribed(RedisClusterNode node, byte[] channel, long count) {
          byte[] id = RedisKeys.mailboxOfChannel(channel);
          if (id != null) {
            dispatch(id);
          }
        }
      });
      pubsub = c;
    }
    return pubsub;
  }

  private void deliver(byte[] message) {
    if (message.length != ID_LENGTH + origin.length
        || Arrays.equals(message, ID_LENGTH, message.length, origin, 0, origin.length)) {
      return; // not a notice of this format, or this node's own append
    }
    dispatch(Arrays.copyOf(message, ID_LENGTH));
  }

  private void dispatch(byte[] id) {
    for (Consumer<byte[]> l : listeners) {
      callbacks.execute(() -> {
        try {
          l.accept(id.clone());
        } catch (RuntimeException e) {
          LOG.error("an append notice listener failed", e);
        }
      });
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (pubsub != null) {
      pubsub.close();
      pubsub = null;
    }
  }
}
