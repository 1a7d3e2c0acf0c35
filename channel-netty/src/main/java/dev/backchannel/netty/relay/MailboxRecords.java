package dev.backchannel.netty.relay;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay's read-through cache of mailbox records in front of its {@link MailboxStore}. Every
 * change of a record (create, lock, delete) goes through this relay and so through this class,
 * which keeps the cache equal to the store; a send to a known, unlocked mailbox then needs no
 * store read and no hop off the event loop. Bounded: past {@value #MAX_ENTRIES} records the
 * cache starts over. Thread-safe.
 */
final class MailboxRecords {
  static final int MAX_ENTRIES = 100_000;

  private final MailboxStore store;
  private final ConcurrentHashMap<ByteBuffer, MailboxRecord> cache = new ConcurrentHashMap<>();

  MailboxRecords(MailboxStore store) {
    this.store = store;
  }

  /** The record if it is cached, else null (then read it with {@link #get}, off the event loop). */
  MailboxRecord cached(byte[] mailboxId) {
    return cache.get(ByteBuffer.wrap(mailboxId));
  }

  /** The record, from the cache or the store (may block on disk I/O). */
  Optional<MailboxRecord> get(byte[] mailboxId) throws StateStoreException {
    MailboxRecord r = cached(mailboxId);
    if (r != null) {
      return Optional.of(r);
    }
    Optional<MailboxRecord> m = store.mailbox(mailboxId);
    m.ifPresent(this::remember);
    return m;
  }

  /** Creates the mailbox in the store; false if it exists. */
  boolean create(MailboxRecord record) throws StateStoreException {
    boolean created = store.createMailbox(record);
    if (created) {
      remember(record);
    }
    return created;
  }

  /** Replaces the record in the store, then in the cache. */
  void update(MailboxRecord record) throws StateStoreException {
    cache.remove(ByteBuffer.wrap(record.mailboxId()));
    store.updateMailbox(record);
    remember(record);
  }

  /** Deletes the mailbox from the store and the cache. */
  void delete(byte[] mailboxId) throws StateStoreException {
    cache.remove(ByteBuffer.wrap(mailboxId));
    try {
      store.deleteMailbox(mailboxId);
    } finally {
      cache.remove(ByteBuffer.wrap(mailboxId));
    }
  }

  private void remember(MailboxRecord record) {
    if (cache.size() >= MAX_ENTRIES) {
      cache.clear();
    }
    cache.put(ByteBuffer.wrap(record.mailboxId()), record);
  }
}
