package dev.backchannel.redis;

import static dev.backchannel.redis.internal.EnvelopeCodec.decimal;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.AppendNotices;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StoreRefusedException;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import dev.backchannel.redis.internal.EnvelopeCodec;
import dev.backchannel.redis.internal.ExpiryIndex;
import dev.backchannel.redis.internal.Failures;
import dev.backchannel.redis.internal.LuaScript;
import dev.backchannel.redis.internal.MailboxNotices;
import dev.backchannel.redis.internal.Reads;
import dev.backchannel.redis.internal.RedisKeys;
import dev.backchannel.redis.internal.Replies;
import dev.backchannel.redis.internal.ScriptRunner;
import dev.backchannel.redis.internal.StoreBytes;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link MailboxStore} on Redis Cluster that several relay nodes share. Every operation on one
 * mailbox is one atomic Lua script over that mailbox's keys, which share the hash tag
 * {@code {<hex mailbox id>}} (key layout and script semantics: docs/PROTOCOL.md, "Relay storage
 * on Redis Cluster"), so the lifecycle rules of {@link MailboxStore} (existence, owner and lock
 * checked in the step that writes; quotas; idempotence by message id; tombstones) hold across
 * nodes exactly as in the embedded store. Every default method of the interface is overridden
 * by one script.
 *
 * <p><b>Durability.</b> A future or call completes only after the master that owns the mailbox's
 * slot replied to the script. What that survives depends on the cluster's settings:
 *
 * <ul>
 *   <li>{@code appendonly yes} + {@code appendfsync always} (expected): the master writes and
 *       fsyncs its AOF before it replies, so an acknowledged write survives a crash of the Redis
 *       process or the machine, once that master restarts from its AOF. It does not survive the
 *       loss of that master's disk, and a failover to a replica that had not yet received the
 *       write loses it (replication is asynchronous).
 *   <li>{@link RedisStoreConfig.Builder#waitReplicas(int) waitReplicas} {@code n > 0}: after each
 *       write script the store sends {@code WAIT n timeout} on the connection that ran it; the
 *       operation fails with {@link StateStoreException} if fewer than {@code n} replicas
 *       acknowledged in time (the master still holds the write: a retried append is reported as a
 *       duplicate). The write is then in the memory of {@code n} replicas, so it survives a
 *       failover to one of them, but not a power loss of all of them at once. A master promoted
 *       from the only replica has no replica until another one joins: until then every write to
 *       its slots fails, closed. A write that fails on a node's own connection (timeout, lost
 *       connection, {@code MOVED}) asks for a topology refresh, so the store follows a promotion
 *       within about a second instead of at the next periodic refresh ({@code ScriptRunner};
 *       measured by {@code RedisReplicaFailoverTest}).
 *   <li>Redis 7.0 has no {@code WAITAOF}. On Redis 7.2 or Valkey, {@code WAITAOF 1 n timeout} in
 *       place of {@code WAIT} would also have the replicas' fsync; it would go in
 *       {@code ScriptRunner.write}, the one place that waits.
 * </ul>
 *
 * <p><b>Storage watermark.</b> The store-wide byte count ({@link #storedBytes()}) is one cluster
 * counter key that each write updates with {@code INCRBY} right after its script (a script cannot
 * touch a key in another slot). The watermark check runs inside the append script against the
 * count this node last saw, so several nodes may together overshoot it by what they append within
 * one refresh interval (1 s), and a node that dies between a script and its {@code INCRBY} leaves
 * the count off by that write. The per-mailbox quotas are exact.
 *
 * <p><b>Notices.</b> Each stored append is published with {@code SPUBLISH} on the mailbox's
 * sharded channel in the same script; a node {@link #subscribe}s to the mailboxes it serves and
 * gets {@link #onRemoteAppend} callbacks for other nodes' appends ({@link AppendNotices}: a relay
 * whose store this is subscribes for its subscribers' mailboxes). Pub/sub is lossy: a subscriber
 * must read the mailbox again after every (re)subscription and must never depend on a notice.
 *
 * <p>Thread-safe. Blocking methods wait for the cluster; never call them on an event loop.
 * Futures complete on the store's own threads, never on a Lettuce or Netty event loop. Errors:
 * {@link StoreRefusedException}, {@link QuotaExceededException}, {@link StateStoreException} (its
 * subtype {@code StorageFullException} when Redis reports out of memory); messages hold no key,
 * body or secret, and {@link #toString()} shows no password.
 *
 * @since 0.2
 */
public final class RedisMailboxStore implements MailboxStore, AppendNotices {
  /** Most expiry entries one script call of a sweep handles in one mailbox. */
  public static final int EXPIRY_CHUNK = 1_000;
  /** How often the store-wide byte count is read again (other nodes' writes). */
  public static final long COUNT_REFRESH_MILLIS = 1_000;
  private static final byte[] NONE = new byte[0];

  private final RedisStoreConfig config;
  private final RedisClusterClient client;
  private final StatefulRedisClusterConnection<byte[], byte[]> connection;
  private final RedisKeys keys;
  private final ScriptRunner scripts;
  private final StoreBytes bytes;
  private final ExpiryIndex index;
  private final MailboxNotices notices;
  private final Reads reads;
  private final ScheduledThreadPoolExecutor threads;
  private final Executor callbacks;
  private final long awaitMillis;
  private volatile boolean closed;

  private RedisMailboxStore(RedisStoreConfig config, RedisClusterClient client,
      StatefulRedisClusterConnection<byte[], byte[]> connection) {
    this.config = config;
    this.client = client;
    this.connection = connection;
    keys = new RedisKeys(config.keyPrefix());
    scripts = new ScriptRunner(connection, config.waitReplicas(), config.waitTimeout().toMillis(),
        client::refreshPartitionsAsync);
    bytes = new StoreBytes(connection, keys);
    index = new ExpiryIndex(connection, keys, config.expiryBucket().toMillis());
    threads = new ScheduledThreadPoolExecutor(2, r -> {
      Thread t = new Thread(r, "backchannel-redis-store");
      t.setDaemon(true);
      return t;
    });
    callbacks = r -> {
      try {
        threads.execute(r);
      } catch (RejectedExecutionException e) {
        r.run(); // closing: complete on the caller's thread rather than never
      }
    };
    byte[] origin = new byte[16];
    new SecureRandom().nextBytes(origin);
    notices = new MailboxNotices(client, keys, origin, callbacks);
    awaitMillis = 3 * config.commandTimeout().toMillis() + config.waitTimeout().toMillis();
    reads = new Reads(connection, keys, awaitMillis);
  }

  /**
   * Connects to the cluster and reads the store-wide byte count.
   *
   * @throws StateStoreException if the cluster cannot be reached
   */
  public static RedisMailboxStore open(RedisStoreConfig config) throws StateStoreException {
    RedisClusterClient client = ClusterConnections.client(config);
    RedisMailboxStore store;
    try {
      store = new RedisMailboxStore(config, client, ClusterConnections.connect(client));
    } catch (RuntimeException e) {
      ClusterConnections.shutdown(client);
      throw new StateStoreException("cannot connect to the redis cluster", Failures.translate(e));
    }
    try {
      Failures.awaitStored(store.bytes.refresh(), store.awaitMillis);
    } catch (StateStoreException e) {
      store.close();
      throw e;
    }
    store.threads.scheduleWithFixedDelay(() -> store.bytes.refresh(), COUNT_REFRESH_MILLIS,
        COUNT_REFRESH_MILLIS, TimeUnit.MILLISECONDS);
    return store;
  }

  /** Completes {@code f}'s outcome, as a typed error, on the store's threads. */
  private <T> CompletableFuture<T> handOff(CompletableFuture<T> f) {
    CompletableFuture<T> out = new CompletableFuture<>();
    f.whenCompleteAsync((v, e) -> {
      if (e != null) {
        out.completeExceptionally(Failures.translate(e));
      } else {
        out.complete(v);
      }
    }, callbacks);
    return out;
  }

  /** Applies a write's byte delta, then fails if the replicas asked for did not acknowledge it. */
  private <T> CompletableFuture<T> settle(ScriptRunner.Written w, long delta, T value) {
    return bytes.add(delta).thenApply(v -> {
      if (!w.replicated()) {
        throw Failures.completion(new StateStoreException("the write reached " + w.replicasAcked()
            + " of " + scripts.waitReplicas() + " replicas in time; it may not survive a failover"));
      }
      return value;
    });
  }

  @Override
  public boolean createMailbox(MailboxRecord mailbox) throws StateStoreException {
    byte[] id = mailbox.mailboxId();
    return Failures.awaitStored(scripts.write(LuaScript.CREATE, keys.mailbox(id), mailbox.ownerKey())
        .thenCompose(w -> settle(w, 0, Replies.integer(w.reply()) == 1)), awaitMillis);
  }

  @Override
  public Optional<MailboxRecord> mailbox(byte[] mailboxId) throws StateStoreException {
    return reads.mailbox(mailboxId);
  }

  /** Replaces the record of an existing mailbox; does nothing if it does not exist (no revival). */
  @Override
  public void updateMailbox(MailboxRecord mailbox) throws StateStoreException {
    byte[] sender = mailbox.lockedSenderKey().orElse(NONE);
    Failures.awaitStored(scripts.write(LuaScript.UPDATE, keys.mailbox(mailbox.mailboxId()),
        mailbox.ownerKey(), sender).thenCompose(w -> settle(w, 0, null)), awaitMillis);
  }

  @Override
  public Optional<MailboxRecord> lock(byte[] mailboxId, byte[] ownerKey, byte[] senderKey)
      throws StateStoreException, StoreRefusedException {
    MailboxRecord locked = new MailboxRecord(mailboxId, ownerKey, senderKey);
    long r = Failures.await(scripts.write(LuaScript.LOCK, keys.mailbox(mailboxId), ownerKey, senderKey)
        .thenCompose(w -> settle(w, 0, Replies.integer(w.reply()))), awaitMillis);
    if (r == Replies.OWNER_CHANGED) {
      throw Replies.ownerChanged();
    }
    return r == 1 ? Optional.of(locked) : Optional.empty();
  }

  @Override
  public void deleteMailbox(byte[] mailboxId) throws StateStoreException {
    Failures.awaitStored(delete(mailboxId, NONE), awaitMillis);
  }

  @Override
  public boolean deleteMailbox(byte[] mailboxId, byte[] ownerKey)
      throws StateStoreException, StoreRefusedException {
    long r = Failures.await(delete(mailboxId, ownerKey), awaitMillis);
    if (r == Replies.OWNER_CHANGED) {
      throw Replies.ownerChanged();
    }
    return r == 1;
  }

  private CompletableFuture<Long> delete(byte[] mailboxId, byte[] ownerKey) {
    return scripts.write(LuaScript.DELETE, keys.mailbox(mailboxId), ownerKey)
        .thenCompose(w -> settle(w, Replies.at(w.reply(), 1), Replies.at(w.reply(), 0)));
  }

  /**
   * Appends to an existing mailbox without a lock check (the caller checked) and without a
   * storage watermark; the relay uses {@link #appendChecked}.
   */
  @Override
  public CompletableFuture<Appended> append(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, long maxEnvelopes, long maxBytes) {
    return append(mailboxId, messageId, body, expiresAtMillis,
        new AppendLimits(maxEnvelopes, maxBytes, Long.MAX_VALUE), null, false);
  }

  @Override
  public CompletableFuture<Appended> appendChecked(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, AppendLimits limits, byte[] provenSenderKey) {
    return append(mailboxId, messageId, body, expiresAtMillis, limits, provenSenderKey, true);
  }

  private CompletableFuture<Appended> append(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, AppendLimits limits, byte[] provenSender, boolean checkLock) {
    byte[] value;
    try {
      value = EnvelopeCodec.envelope(messageId, expiresAtMillis, body);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    long now = System.currentTimeMillis();
    boolean expires = expiresAtMillis != Long.MAX_VALUE;
    byte[][] k = keys.mailbox(mailboxId);
    byte[][] args = {
      messageId.clone(), value, decimal(body.length), expires ? decimal(expiresAtMillis) : NONE,
      decimal(now), decimal(limits.maxEnvelopes()), decimal(limits.maxBytes()),
      decimal(limits.maxStoreBytes()), decimal(bytes.known()), checkLock ? bytes("1") : bytes("0"),
      provenSender == null ? NONE : provenSender.clone(), keys.channel(mailboxId),
      notices.message(mailboxId)
    };
    CompletableFuture<Void> hinted = expires
        ? index.hint(ExpiryIndex.MAILBOX, mailboxId, expiresAtMillis, now)
        : CompletableFuture.completedFuture(null);
    return handOff(hinted.thenCompose(v -> scripts.write(LuaScript.APPEND, k, args))
        .thenCompose(w -> settle(w, Replies.appendDelta(w.reply()), Replies.appended(w.reply()))));
  }

  @Override
  public List<StoredEnvelope> read(byte[] mailboxId, long fromSequence, int max) throws StateStoreException {
    return reads.envelopes(mailboxId, fromSequence, max);
  }

  @Override
  public CompletableFuture<Boolean> remove(byte[] mailboxId, byte[] messageId) {
    return removeAll(mailboxId, List.of(messageId), 0).thenApply(n -> n > 0);
  }

  @Override
  public CompletableFuture<Integer> removeAll(byte[] mailboxId, List<byte[]> messageIds,
      long tombstoneUntilMillis) {
    if (messageIds.isEmpty()) {
      return CompletableFuture.completedFuture(0);
    }
    long until = Math.max(0, tombstoneUntilMillis);
    byte[][] args = new byte[messageIds.size() + 1][];
    args[0] = decimal(until);
    for (int i = 0; i < messageIds.size(); i++) {
      args[i + 1] = messageIds.get(i).clone();
    }
    CompletableFuture<Void> hinted = until > 0
        ? index.hint(ExpiryIndex.MAILBOX, mailboxId, until, System.currentTimeMillis())
        : CompletableFuture.completedFuture(null);
    return handOff(hinted.thenCompose(v -> scripts.write(LuaScript.REMOVE, keys.mailbox(mailboxId), args))
        .thenCompose(w -> settle(w, Replies.at(w.reply(), 1), (int) Replies.at(w.reply(), 0))));
  }

  @Override
  public CompletableFuture<Void> touch(byte[] mailboxId, long idleExpiresAtMillis) {
    return handOff(index.hint(ExpiryIndex.MAILBOX, mailboxId, idleExpiresAtMillis, System.currentTimeMillis())
        .thenCompose(v -> scripts.write(LuaScript.TOUCH, keys.mailbox(mailboxId), decimal(idleExpiresAtMillis)))
        .thenCompose(w -> settle(w, 0, null)));
  }

  /** The store-wide byte count as this node last saw it (at most about 1 s old); never blocks. */
  @Override
  public long storedBytes() {
    return bytes.known();
  }

  @Override
  public Usage usage(byte[] mailboxId) throws StateStoreException {
    return reads.usage(mailboxId);
  }

  @Override
  public void putInvitation(byte[] invitationId, byte[] bundle, long expiresAtMillis)
      throws StateStoreException {
    byte[][] k = {keys.invitation(invitationId)};
    byte[] b = bundle.clone();
    Failures.awaitStored(index.hint(ExpiryIndex.INVITATION, invitationId, expiresAtMillis, System.currentTimeMillis())
        .thenCompose(v -> scripts.write(LuaScript.PUT_INVITATION, k, decimal(expiresAtMillis), b))
        .thenCompose(w -> settle(w, Replies.integer(w.reply()), null)), awaitMillis);
  }

  @Override
  public Optional<byte[]> fetchInvitation(byte[] invitationId, long nowMillis) throws StateStoreException {
    return reads.invitation(invitationId, nowMillis);
  }

  /** Expires what is due, visiting only the due buckets of the expiry index; blocks. */
  @Override
  public int expire(long nowMillis) throws StateStoreException {
    return index.sweep(nowMillis, member -> expireOne(member, nowMillis), awaitMillis);
  }

  private CompletableFuture<Integer> expireOne(byte[] member, long now) {
    byte[] id = ExpiryIndex.id(member);
    if (member[0] == ExpiryIndex.INVITATION) {
      return scripts.write(LuaScript.EXPIRE_INVITATION, new byte[][] {keys.invitation(id)}, decimal(now))
          .thenCompose(w -> settle(w, Replies.at(w.reply(), 1), (int) Replies.at(w.reply(), 0)));
    }
    if (member[0] != ExpiryIndex.MAILBOX) {
      return CompletableFuture.completedFuture(0);
    }
    return scripts.write(LuaScript.EXPIRE_MAILBOX, keys.mailbox(id), decimal(now), decimal(EXPIRY_CHUNK))
        .thenCompose(w -> settle(w, Replies.at(w.reply(), 1), w.reply()))
        .thenCompose(r -> Replies.at(r, 2) == 1
            ? expireOne(member, now).thenApply(more -> more + (int) Replies.at(r, 0))
            : CompletableFuture.completedFuture((int) Replies.at(r, 0)));
  }

  /**
   * Calls {@code listener} (on the store's threads) with the mailbox id of each append another
   * node's store made to a mailbox this store {@link #subscribe subscribed} to, and after each
   * confirmed (re)subscription. Best effort. Opens the notice connection (blocks).
   */
  @Override
  public void onRemoteAppend(Consumer<byte[]> listener) {
    notices.onRemoteAppend(listener);
  }

  /**
   * Subscribes to a mailbox's append notices ({@code SSUBSCRIBE} on the node that owns its slot);
   * completes once subscribed. Read the mailbox after it completes: notices before it are lost.
   */
  @Override
  public CompletableFuture<Void> subscribe(byte[] mailboxId) {
    return handOff(notices.subscribe(mailboxId));
  }

  /** Stops a mailbox's append notices. */
  @Override
  public CompletableFuture<Void> unsubscribe(byte[] mailboxId) {
    return handOff(notices.unsubscribe(mailboxId));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    notices.close();
    connection.close();
    ClusterConnections.shutdown(client);
    threads.shutdown();
  }

  @Override
  public String toString() {
    return "RedisMailboxStore[prefix=" + keys.prefix() + ", nodes=" + config.nodes().size()
        + ", waitReplicas=" + config.waitReplicas() + (closed ? ", closed" : "") + "]";
  }
}
