package dev.backchannel.netty.store;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded, durable default {@link MailboxStore}: RocksDB with every write synced, and group
 * commit so that concurrent writes share one sync.
 *
 * <p>All writes go through one writer thread that takes every pending operation (up to
 * {@link #MAX_BATCH}) into one {@code WriteBatch} written with {@code sync = true}; futures
 * complete only after that write returns. A failed write fails every future of its batch with
 * {@link StateStoreException} and nothing of the batch is acknowledged. The pending queue is
 * bounded ({@link #MAX_PENDING}); beyond it appends fail fast with a retryable error. Reads go
 * straight to RocksDB. Key layout: docs/PROTOCOL.md, "Relay storage". Thread-safe.
 *
 * @since 0.1
 */
public final class RocksDbMailboxStore implements MailboxStore {
  /** Most operations written in one synced batch. */
  public static final int MAX_BATCH = 512;
  /** Most operations waiting for the writer. */
  public static final int MAX_PENDING = 16_384;

  private static final Logger LOG = LoggerFactory.getLogger(RocksDbMailboxStore.class);
  private static final byte MAILBOX = 'M';
  private static final byte ENVELOPE = 'E';
  private static final byte DEDUPE = 'D';
  private static final byte USAGE = 'S';
  private static final byte INVITATION = 'I';

  static {
    RocksDB.loadLibrary();
  }

  private final Options options;
  private final RocksDB db;
  private final WriteOptions syncWrite;
  private final BlockingQueue<Op> queue = new ArrayBlockingQueue<>(MAX_PENDING);
  private final Thread writer;
  /** Usage counters, owned by the writer thread (reads elsewhere go to RocksDB). */
  private final Map<Key, long[]> usageCache = new HashMap<>();
  private volatile boolean closed;

  /**
   * Opens (creating if needed) the store in {@code directory}.
   *
   * @throws StateStoreException if the directory cannot be created or the database opened
   */
  public RocksDbMailboxStore(Path directory) throws StateStoreException {
    try {
      Files.createDirectories(directory);
      options = new Options().setCreateIfMissing(true);
      db = RocksDB.open(options, directory.toString());
    } catch (java.io.IOException | RocksDBException e) {
      throw new StateStoreException("cannot open the mailbox store in " + directory, e);
    }
    syncWrite = new WriteOptions().setSync(true);
    writer = new Thread(this::writeLoop, "backchannel-store-writer");
    writer.setDaemon(true);
    writer.start();
  }

  // ---------------------------------------------------------------- operations through the writer

  private abstract static class Op {
    final CompletableFuture<Object> done = new CompletableFuture<>();

    /** Adds this operation's writes to {@code batch}; returns the value to complete with. */
    abstract Object apply(RocksDbMailboxStore s, WriteBatch batch, Map<Key, byte[]> staged)
        throws Exception;
  }

  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> submit(Op op) {
    if (closed) {
      op.done.completeExceptionally(new StateStoreException("mailbox store is closed"));
    } else if (!queue.offer(op)) {
      op.done.completeExceptionally(new StateStoreException("mailbox store is overloaded"));
    }
    return (CompletableFuture<T>) (CompletableFuture<?>) op.done;
  }

  private <T> T await(CompletableFuture<T> f) throws StateStoreException {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateStoreException("interrupted while writing the mailbox store");
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof StateStoreException s) {
        throw s;
      }
      throw new StateStoreException("mailbox store write failed", e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new StateStoreException("mailbox store write timed out");
    }
  }

  private void writeLoop() {
    List<Op> ops = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        Op first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed) {
            return;
          }
          continue;
        }
        ops.add(first);
        queue.drainTo(ops, MAX_BATCH - 1);
        writeBatch(ops);
      } catch (InterruptedException e) {
        return;
      } finally {
        ops.clear();
      }
    }
  }

  private void writeBatch(List<Op> ops) {
    Map<Key, long[]> usageBefore = new HashMap<>();
    for (Map.Entry<Key, long[]> e : usageCache.entrySet()) {
      usageBefore.put(e.getKey(), e.getValue().clone());
    }
    Object[] results = new Object[ops.size()];
    try (WriteBatch batch = new WriteBatch()) {
      Map<Key, byte[]> staged = new HashMap<>();
      for (int i = 0; i < ops.size(); i++) {
        try {
          results[i] = ops.get(i).apply(this, batch, staged);
        } catch (QuotaExceededException e) {
          results[i] = e;
        }
      }
      db.write(syncWrite, batch);
    } catch (Exception e) {
      // Nothing of this batch is durable: roll the counters back and fail every operation.
      usageCache.clear();
      usageCache.putAll(usageBefore);
      LOG.error("mailbox store write of {} operations failed", ops.size(), e);
      StateStoreException failure = new StateStoreException("mailbox store write failed", e);
      for (Op op : ops) {
        op.done.completeExceptionally(failure);
      }
      return;
    }
    for (int i = 0; i < ops.size(); i++) {
      if (results[i] instanceof Exception e) {
        ops.get(i).done.completeExceptionally(e);
      } else {
        ops.get(i).done.complete(results[i]);
      }
    }
  }

  /** A byte-array map key. */
  private record Key(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  /** Reads {@code key} as the batch so far would leave it (staged writes win). */
  private byte[] stagedGet(Map<Key, byte[]> staged, byte[] key) throws RocksDBException {
    Key k = new Key(key);
    if (staged.containsKey(k)) {
      return staged.get(k);
    }
    return db.get(key);
  }

  private void stagedPut(WriteBatch batch, Map<Key, byte[]> staged, byte[] key, byte[] value)
      throws RocksDBException {
    batch.put(key, value);
    staged.put(new Key(key), value);
  }

  private void stagedDelete(WriteBatch batch, Map<Key, byte[]> staged, byte[] key)
      throws RocksDBException {
    batch.delete(key);
    staged.put(new Key(key), null);
  }

  /** [nextSequence, envelopes, bytes] of a mailbox, cached; written into the batch on change. */
  private long[] usageOf(byte[] mailboxId) throws RocksDBException {
    Key k = new Key(mailboxId.clone());
    long[] u = usageCache.get(k);
    if (u == null) {
      byte[] v = db.get(key(USAGE, mailboxId));
      u = v == null ? new long[] {1, 0, 0} : new long[] {
        ByteBuffer.wrap(v).getLong(0), ByteBuffer.wrap(v).getLong(8), ByteBuffer.wrap(v).getLong(16)};
      usageCache.put(k, u);
    }
    return u;
  }

  private void writeUsage(WriteBatch batch, Map<Key, byte[]> staged, byte[] mailboxId, long[] u)
      throws RocksDBException {
    stagedPut(batch, staged, key(USAGE, mailboxId),
        ByteBuffer.allocate(24).putLong(u[0]).putLong(u[1]).putLong(u[2]).array());
  }

  // ---------------------------------------------------------------- MailboxStore

  @Override
  public boolean createMailbox(MailboxRecord mailbox) throws StateStoreException {
    byte[] id = mailbox.mailboxId();
    return await(submit(new Op() {
      @Override
      Object apply(RocksDbMailboxStore s, WriteBatch batch, Map<Key, byte[]> staged)
          throws Exception {
        if (s.stagedGet(staged, key(MAILBOX, id)) != null) {
          return Boolean.FALSE;
        }
        s.stagedPut(batch, staged, key(MAILBOX, id), encodeMailbox(mailbox));
        return Boolean.TRUE;
      }
    }));
  }

  @Override
  public Optional<MailboxRecord> mailbox(byte[] mailboxId) throws StateStoreException {
    try {
      byte[] v = db.get(key(MAILBOX, mailboxId));
      return v == null ? Optional.empty() : Optional.of(decodeMailbox(mailboxId, v));
    } catch (RocksDBException e) {
      throw new StateStoreException("cannot read the mailbox store", e);
    }
  }

  @Override
  public void updateMailbox(MailboxRecord mailbox) throws StateStoreException {
    byte[] id = mailbox.mailboxId();
    await(submit(new Op() {
      @Override
      Object apply(RocksDbMailboxStore s, WriteBatch batch, Map<Key, byte[]> staged)
          throws Exception {
        s.stagedPut(batch, staged, key(MAILBOX, id), encodeMailbox(mailbox));
        return Boolean.TRUE;
      }
    }));
  }

  @Override
  public void deleteMailbox(byte[] mailboxId) throws StateStoreException {
    byte[] id = mailboxId.clone();
    await(submit(new Op() {
      @Override
      Object apply(RocksDbMailboxStore s, WriteBatch batch, Map<Key, byte[]> staged)
          throws Exception {
        s.stagedDelete(batch, staged, key(MAILBOX, id));
        s.stagedDelete(batch, staged, key(USAGE, id));
        s.usageCache.remove(new Key(id));
        for (byte prefix : new byte[] {ENVELOPE, DEDUPE}) {
          byte[] p = key(prefix, id);
          try (RocksIterator it = s.db.newIterator()) {
            for (it.seek(p); it.isValid() && startsWith(it.key(), p); it.next()) {
              s.stagedDelete(batch, staged, it.key());
            }
          }
        }
        return Boolean.TRUE;
      }
    }));
  }

  @Override
  public CompletableFuture<Appended> append(
      byte[] mailboxId, byte[] messageId, byte[] body, long expiresAtMillis, long maxEnvelopes,
      long maxBytes) {
    byte[] id = mailboxId.clone();
    byte[] mid = messageId.clone();
    byte[] b = body.clone();
    return submit(new Op() {
      @Override
      Object apply(RocksDbMailboxStore s, WriteBatch batch, Map<Key, byte[]> staged)
          throws Exception {
        byte[] dedupeKey = key(DEDUPE, id, mid);
        byte[] existing = s.stagedGet(staged, dedupeKey);
        if (existing != null) {
          return new Appended(ByteBuffer.wrap(existing).getLong(), true);
        }
        long[] u = s.usageOf(id);
        if (u[1] + 1 > maxEnvelopes || u[2] + b.length > maxBytes) {
          throw new QuotaExceededException(
              "mailbox holds " + u[1] + " envelopes / " + u[2] + " bytes; quota "
                  + maxEnvelopes + " / " + maxBytes);
        }
        long seq = u[0]++;
        u[1]++;
        u[2] += b.length;
        byte[] value = ByteBuffer.allocate(1 + mid.length + 8 + b.length)
            .put((byte) mid.length).put(mid).putLong(expiresAtMillis).put(b).array();
        s.stagedPut(batch, staged, key(ENVELOPE, id, seqBytes(seq)), value);
        s.stagedPut(batch, staged, dedupeKey, seqBytes(seq));
        s.writeUsage(batch, staged, id, u);
        return new Appended(seq, false);
      }
    });
  }

  @Override
  public List<StoredEnvelope> read(byte[] mailboxId, long fromSequence, int max)
      throws StateStoreException {
    List<StoredEnvelope> out = new ArrayList<>();
    byte[] prefix = key(ENVELOPE, mailboxId);
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(key(ENVELOPE, mailboxId, seqBytes(fromSequence)));
          it.isValid() && startsWith(it.key(), prefix) && out.size() < max;
          it.next()) {
        byte[] k = it.key();
        long seq = ByteBuffer.wrap(k, prefix.length, 8).getLong();
        out.add(decodeEnvelope(seq, it.value()));
      }
    }
    return out;
  }

  @Override
  public CompletableFuture<Boolean> remove(byte[] mailboxId, byte[] messageId) {
    byte[] id = mailboxId.clone();
    byte[] mid = messageId.clone();
    return submit(new Op() {
      @Override
      Object apply(RocksDbMailboxStore s, WriteBatch batch, Map<Key, byte[]> staged)
          throws Exception {
        return s.removeStaged(batch, staged, id, mid);
      }
    });
  }

  private Boolean removeStaged(WriteBatch batch, Map<Key, byte[]> staged, byte[] id, byte[] mid)
      throws RocksDBException {
    byte[] dedupeKey = key(DEDUPE, id, mid);
    byte[] seq = stagedGet(staged, dedupeKey);
    if (seq == null) {
      return Boolean.FALSE;
    }
    byte[] envelopeKey = key(ENVELOPE, id, seq);
    byte[] value = stagedGet(staged, envelopeKey);
    stagedDelete(batch, staged, envelopeKey);
    stagedDelete(batch, staged, dedupeKey);
    if (value != null) {
      long[] u = usageOf(id);
      u[1]--;
      u[2] -= value.length - 1 - (value[0] & 0xff) - 8;
      writeUsage(batch, staged, id, u);
    }
    return Boolean.TRUE;
  }

  @Override
  public Usage usage(byte[] mailboxId) throws StateStoreException {
    try {
      byte[] v = db.get(key(USAGE, mailboxId));
      return v == null ? new Usage(0, 0)
          : new Usage(ByteBuffer.wrap(v).getLong(8), ByteBuffer.wrap(v).getLong(16));
    } catch (RocksDBException e) {
      throw new StateStoreException("cannot read the mailbox store", e);
    }
  }

  @Override
  public void putInvitation(byte[] invitationId, byte[] bundle, long expiresAtMillis)
      throws StateStoreException {
    byte[] k = key(INVITATION, invitationId);
    byte[] v = ByteBuffer.allocate(8 + bundle.length).putLong(expiresAtMillis).put(bundle).array();
    await(submit(new Op() {
      @Override
      Object apply(RocksDbMailboxStore s, WriteBatch batch, Map<Key, byte[]> staged)
          throws Exception {
        s.stagedPut(batch, staged, k, v);
        return Boolean.TRUE;
      }
    }));
  }

  @Override
  public Optional<byte[]> fetchInvitation(byte[] invitationId, long nowMillis)
      throws StateStoreException {
    try {
      byte[] v = db.get(key(INVITATION, invitationId));
      if (v == null || ByteBuffer.wrap(v).getLong() <= nowMillis) {
        return Optional.empty();
      }
      return Optional.of(Arrays.copyOfRange(v, 8, v.length));
    } catch (RocksDBException e) {
      throw new StateStoreException("cannot read the mailbox store", e);
    }
  }

  @Override
  public int expire(long nowMillis) throws StateStoreException {
    Integer n = await(submit(new Op() {
      @Override
      Object apply(RocksDbMailboxStore s, WriteBatch batch, Map<Key, byte[]> staged)
          throws Exception {
        int count = 0;
        try (RocksIterator it = s.db.newIterator()) {
          for (it.seek(new byte[] {ENVELOPE}); it.isValid() && it.key()[0] == ENVELOPE; it.next()) {
            byte[] v = it.value();
            int midLength = v[0] & 0xff;
            long expiresAt = ByteBuffer.wrap(v, 1 + midLength, 8).getLong();
            if (expiresAt <= nowMillis) {
              byte[] k = it.key();
              byte[] id = Arrays.copyOfRange(k, 1, 33);
              byte[] mid = Arrays.copyOfRange(v, 1, 1 + midLength);
              if (Boolean.TRUE.equals(s.removeStaged(batch, staged, id, mid))) {
                count++;
              }
            }
          }
          for (it.seek(new byte[] {INVITATION}); it.isValid() && it.key()[0] == INVITATION; it.next()) {
            if (ByteBuffer.wrap(it.value()).getLong() <= nowMillis) {
              s.stagedDelete(batch, staged, it.key());
              count++;
            }
          }
        }
        return count;
      }
    }));
    return n;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Op op; (op = queue.poll()) != null; ) {
      op.done.completeExceptionally(new StateStoreException("mailbox store is closed"));
    }
    db.close();
    syncWrite.close();
    options.close();
  }

  // ---------------------------------------------------------------- encodings

  private static byte[] key(byte prefix, byte[]... parts) {
    int n = 1;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n).put(prefix);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  private static byte[] seqBytes(long seq) {
    return ByteBuffer.allocate(8).putLong(seq).array();
  }

  private static boolean startsWith(byte[] a, byte[] prefix) {
    return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static byte[] encodeMailbox(MailboxRecord m) {
    Optional<byte[]> locked = m.lockedSenderKey();
    ByteBuffer b = ByteBuffer.allocate(32 + 1 + (locked.isPresent() ? 32 : 0));
    b.put(m.ownerKey()).put((byte) (locked.isPresent() ? 1 : 0));
    locked.ifPresent(b::put);
    return b.array();
  }

  private static MailboxRecord decodeMailbox(byte[] id, byte[] v) {
    byte[] owner = Arrays.copyOf(v, 32);
    byte[] locked = v[32] == 1 ? Arrays.copyOfRange(v, 33, 65) : null;
    return new MailboxRecord(id, owner, locked);
  }

  private static StoredEnvelope decodeEnvelope(long seq, byte[] v) {
    int midLength = v[0] & 0xff;
    byte[] mid = Arrays.copyOfRange(v, 1, 1 + midLength);
    long expiresAt = ByteBuffer.wrap(v, 1 + midLength, 8).getLong();
    byte[] body = Arrays.copyOfRange(v, 1 + midLength + 8, v.length);
    return new StoredEnvelope(mid, seq, body, expiresAt);
  }

  @Override
  public String toString() {
    return "RocksDbMailboxStore[pending=" + queue.size() + "]";
  }
}
