package dev.backchannel.netty.relay;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The relay's read-through cache of mailbox records in front of its {@link MailboxStore}, filled
 * only with what the store committed. A change (create, lock, delete) brackets its store write
 * with {@link #changing} and {@link #changed}, which drop the entry; a read fills the cache only if
 * no change of the record began or ended while it read (a per-stripe version and in-progress
 * count, checked and written under the map's lock for that key), so a read that raced a lock or a
 * delete can never put the old record back. The cache only saves store reads: the store's write
 * step checks existence and lock again. Bounded: past {@value #MAX_ENTRIES} records it starts
 * over (dropping entries is always safe). Thread-safe.
 */
final class MailboxRecords {
  static final int MAX_ENTRIES = 100_000;
  private static final int STRIPES = 1024;

  private final MailboxStore store;
  private final ConcurrentHashMap<ByteBuffer, MailboxRecord> cache = new ConcurrentHashMap<>();
  private final AtomicLongArray versions = new AtomicLongArray(STRIPES);
  private final AtomicIntegerArray changesInProgress = new AtomicIntegerArray(STRIPES);

  MailboxRecords(MailboxStore store) {
    this.store = store;
  }

  private static int stripe(ByteBuffer key) {
    return (key.hashCode() & 0x7fffffff) % STRIPES;
  }

  /** The record if it is cached, else null (then read it with {@link #get}, off the event loop). */
  MailboxRecord cached(byte[] mailboxId) {
    return cache.get(ByteBuffer.wrap(mailboxId));
  }

  /** The record, from the cache or the store (may block on disk I/O). */
  Optional<MailboxRecord> get(byte[] mailboxId) throws StateStoreException {
    ByteBuffer key = ByteBuffer.wrap(mailboxId.clone());
    MailboxRecord r = cache.get(key);
    if (r != null) {
      return Optional.of(r);
    }
    int s = stripe(key);
    long version = versions.get(s);
    boolean quiet = changesInProgress.get(s) == 0;
    Optional<MailboxRecord> m = store.mailbox(mailboxId);
    if (m.isPresent() && quiet) {
      if (cache.size() >= MAX_ENTRIES) {
        cache.clear();
      }
      cache.compute(key, (k, old) -> {
        if (changesInProgress.get(s) != 0 || versions.get(s) != version) {
          return old; // a change began or ended while we read: what we read may be stale
        }
        return m.get();
      });
    }
    return m;
  }

  /**
   * The record as the store holds it now, ignoring the cache (which is then refilled as by
   * {@link #get}). For the checks that must see a change made through another relay node sharing
   * the store (subscribing, authorizing a sender): this node's cache only hears of its own changes.
   */
  Optional<MailboxRecord> fresh(byte[] mailboxId) throws StateStoreException {
    cache.remove(ByteBuffer.wrap(mailboxId)); // dropping an entry is always safe
    return get(mailboxId);
  }

  /** A change of the record begins: forget it until the change is committed and read again. */
  void changing(byte[] mailboxId) {
    ByteBuffer key = ByteBuffer.wrap(mailboxId.clone());
    int s = stripe(key);
    cache.compute(key, (k, old) -> {
      changesInProgress.incrementAndGet(s);
      versions.incrementAndGet(s);
      return null;
    });
  }

  /** The change ended (committed or failed): the next read fills the cache from the store. */
  void changed(byte[] mailboxId) {
    ByteBuffer key = ByteBuffer.wrap(mailboxId.clone());
    int s = stripe(key);
    cache.compute(key, (k, old) -> {
      versions.incrementAndGet(s);
      changesInProgress.decrementAndGet(s);
      return null;
    });
  }
}
