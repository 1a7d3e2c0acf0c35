package dev.backchannel.redis.internal;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore.Usage;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The store's reads: each is one command on one key ({@code HMGET} or {@code ZRANGEBYSCORE}),
 * so it sees a state some script left, never half of one. Blocks the calling thread. Thread-safe.
 */
public final class Reads {
  private static final byte[] OWNER = ascii("owner");
  private static final byte[] SENDER = ascii("sender");
  private static final byte[] ENVELOPES = ascii("n");
  private static final byte[] BYTES = ascii("bytes");
  private static final byte[] EXPIRES = ascii("exp");
  private static final byte[] BUNDLE = ascii("b");

  private final StatefulRedisClusterConnection<byte[], byte[]> connection;
  private final RedisKeys keys;
  private final long timeoutMillis;

  /** Reads through {@code connection}, waiting at most {@code timeoutMillis} per read. */
  public Reads(StatefulRedisClusterConnection<byte[], byte[]> connection, RedisKeys keys, long timeoutMillis) {
    this.connection = connection;
    this.keys = keys;
    this.timeoutMillis = timeoutMillis;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private List<KeyValue<byte[], byte[]>> hmget(byte[] key, byte[]... fields) throws StateStoreException {
    return Failures.awaitStored(connection.async().hmget(key, fields).toCompletableFuture(), timeoutMillis);
  }

  /** The mailbox's record, if it exists. */
  public Optional<MailboxRecord> mailbox(byte[] mailboxId) throws StateStoreException {
    List<KeyValue<byte[], byte[]>> v = hmget(keys.mailbox(mailboxId)[RedisKeys.META], OWNER, SENDER);
    if (v.isEmpty() || !v.get(0).hasValue()) {
      return Optional.empty();
    }
    byte[] sender = v.size() > 1 && v.get(1).hasValue() ? v.get(1).getValue() : null;
    try {
      return Optional.of(new MailboxRecord(mailboxId, v.get(0).getValue(), sender));
    } catch (IllegalArgumentException e) {
      throw new StateStoreException("malformed mailbox record in the redis store");
    }
  }

  /** The mailbox's envelope count and body bytes (zero if it does not exist). */
  public Usage usage(byte[] mailboxId) throws StateStoreException {
    List<KeyValue<byte[], byte[]>> v = hmget(keys.mailbox(mailboxId)[RedisKeys.META], ENVELOPES, BYTES);
    return new Usage(number(v, 0), number(v, 1));
  }

  /** Up to {@code max} envelopes from {@code fromSequence} on, in order. */
  public List<StoredEnvelope> envelopes(byte[] mailboxId, long fromSequence, int max) throws StateStoreException {
    if (max <= 0) {
      return List.of();
    }
    List<byte[]> members = Failures.awaitStored(connection.async().zrangebyscore(
        keys.mailbox(mailboxId)[RedisKeys.QUEUE],
        Range.from(Range.Boundary.including(Math.max(0, fromSequence)), Range.Boundary.unbounded()),
        Limit.create(0, max)).toCompletableFuture(), timeoutMillis);
    List<StoredEnvelope> out = new ArrayList<>(members.size());
    for (byte[] m : members) {
      out.add(EnvelopeCodec.member(m));
    }
    return out;
  }

  /** The bundle of an invitation, if stored and not expired at {@code nowMillis}. */
  public Optional<byte[]> invitation(byte[] invitationId, long nowMillis) throws StateStoreException {
    List<KeyValue<byte[], byte[]>> v = hmget(keys.invitation(invitationId), EXPIRES, BUNDLE);
    if (v.size() < 2 || !v.get(1).hasValue() || number(v, 0) <= nowMillis) {
      return Optional.empty();
    }
    return Optional.of(v.get(1).getValue());
  }

  private static long number(List<KeyValue<byte[], byte[]>> v, int i) throws StateStoreException {
    if (v.size() <= i || !v.get(i).hasValue()) {
      return 0;
    }
    try {
      return Long.parseLong(new String(v.get(i).getValue(), StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      throw new StateStoreException("malformed counter in the redis store");
    }
  }
}
