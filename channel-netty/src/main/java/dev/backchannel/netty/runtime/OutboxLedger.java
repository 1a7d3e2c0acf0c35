package dev.backchannel.netty.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.backchannel.api.PeerConfig.OutboxLimits;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.spi.StateStore;
import dev.backchannel.netty.client.Outbox;
import dev.backchannel.netty.internal.runtime.OutboxRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The peer's outbox: every sealed envelope not yet durably at its relay, kept in the state store
 * under {@code outbox/<id>} (written in the same commit as the session that sealed it) and
 * mirrored in memory, so the links read and remove entries without touching the disk. A removal
 * is written with a later batch of the serial stage; an entry whose removal was lost in a crash is
 * sent again, which the relay and the receiver both recognize. Bounded by {@link OutboxLimits}
 * for user messages. Thread-safe.
 */
final class OutboxLedger {
  /** One waiting envelope. */
  record Entry(byte[] mailboxId, byte[] messageId, byte[] body, String relay, String contactId,
      long createdAtMillis, long sequence) {
    byte[] record() {
      // The entry's arrays are never written after it is made: the record reads them in place.
      return OutboxRecord.newBuilder().setRelay(relay).setMailbox(UnsafeByteOperations.unsafeWrap(mailboxId))
          .setMessageId(UnsafeByteOperations.unsafeWrap(messageId)).setBody(UnsafeByteOperations.unsafeWrap(body))
          .setContact(contactId).setCreatedAtMillis(createdAtMillis).setSequence(sequence)
          .build().toByteArray();
    }
  }

  private final OutboxLimits limits;
  private final Map<ByteBuffer, Entry> entries = new LinkedHashMap<>();
  private final Map<String, Integer> perContact = new HashMap<>();
  private final Map<ByteBuffer, Integer> perMailbox = new HashMap<>();
  private long bytes;
  private volatile Consumer<Entry> onRemoved = e -> { };

  OutboxLedger(OutboxLimits limits) {
    this.limits = limits;
  }

  /** Called (from any thread, never blocking) after an entry left the outbox. */
  void onRemoved(Consumer<Entry> listener) {
    this.onRemoved = listener;
  }

  /** Loads the entries a previous run left. */
  void load(StateStore store) throws StateStoreException {
    for (String k : store.keys(StateKeys.OUTBOX_PREFIX)) {
      byte[] v = store.get(k).orElse(null);
      if (v == null) {
        continue;
      }
      try {
        OutboxRecord r = OutboxRecord.parseFrom(v);
        long created = r.getCreatedAtMillis() == 0 ? System.currentTimeMillis() : r.getCreatedAtMillis();
        add(new Entry(r.getMailbox().toByteArray(), r.getMessageId().toByteArray(), r.getBody().toByteArray(),
            r.getRelay(), r.getContact(), created, r.getSequence()));
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("outbox record " + k + " is corrupt");
      }
    }
  }

  /** Whether a user message of {@code size} sealed bytes still fits the limits. */
  synchronized boolean admits(int size) {
    return entries.size() < limits.sends() && bytes + size <= limits.bytes();
  }

  synchronized void add(Entry e) {
    ByteBuffer k = ByteBuffer.wrap(e.messageId());
    if (entries.putIfAbsent(k, e) == null) {
      bytes += e.body().length;
      perContact.merge(e.contactId(), 1, Integer::sum);
      perMailbox.merge(ByteBuffer.wrap(e.mailboxId()), 1, Integer::sum);
    }
  }

  /** Forgets an entry; returns it, or null if it was not here. */
  Entry remove(byte[] messageId) {
    Entry e;
    synchronized (this) {
      e = entries.remove(ByteBuffer.wrap(messageId));
      if (e == null) {
        return null;
      }
      bytes -= e.body().length;
      perContact.computeIfPresent(e.contactId(), (k, n) -> n == 1 ? null : n - 1);
      perMailbox.computeIfPresent(ByteBuffer.wrap(e.mailboxId()), (k, n) -> n == 1 ? null : n - 1);
    }
    onRemoved.accept(e);
    return e;
  }

  synchronized int pendingForContact(String contactId) {
    return perContact.getOrDefault(contactId, 0);
  }

  synchronized int pendingForMailbox(byte[] mailboxId) {
    return perMailbox.getOrDefault(ByteBuffer.wrap(mailboxId), 0);
  }

  synchronized int size() {
    return entries.size();
  }

  /** The entries of contact {@code contactId}. */
  synchronized List<Entry> forContact(String contactId) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e.contactId().equals(contactId)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Entries that entered before {@code cutoffMillis}, oldest first. */
  synchronized List<Entry> olderThan(long cutoffMillis) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e.createdAtMillis() < cutoffMillis) {
        out.add(e);
      }
    }
    return out;
  }

  /** The {@link Outbox} a link to {@code relay} uses; the home link also takes entries with no relay. */
  Outbox view(String relay, boolean home) {
    return new Outbox() {
      @Override
      public void put(Outbox.Entry entry) throws StateStoreException {
        if (!entries(entry.messageId())) {
          throw new StateStoreException("the runtime stores outbox entries before it sends them");
        }
      }

      @Override
      public void remove(byte[] messageId) {
        OutboxLedger.this.remove(messageId);
      }

      @Override
      public List<Outbox.Entry> pending() {
        List<Outbox.Entry> out = new ArrayList<>();
        synchronized (OutboxLedger.this) {
          for (OutboxLedger.Entry e : entries.values()) {
            if (e.relay().equals(relay) || (home && e.relay().isEmpty())) {
              out.add(new Outbox.Entry(e.mailboxId(), e.messageId(), e.body()));
            }
          }
        }
        return out;
      }
    };
  }

  private synchronized boolean entries(byte[] messageId) {
    return entries.containsKey(ByteBuffer.wrap(messageId));
  }
}
