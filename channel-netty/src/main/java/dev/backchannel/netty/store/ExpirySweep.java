package dev.backchannel.netty.store;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.StoreRefusedException;
import java.util.Arrays;
import org.rocksdb.RocksDBException;

/**
 * Expiry by the expiry index ({@code 'X' || u64 expires_at_ms || row key}, ordered by time): a
 * sweep walks only entries already due, in chunks of at most {@link #CHUNK} entries, each chunk
 * one step of the writer, so sends queued meanwhile go into the batches between chunks instead of
 * waiting behind one scan of the whole store. Runs on the caller's thread (the relay's sweeper),
 * which only waits for each chunk. Envelopes, invitation bundles, tombstones and idle mailboxes
 * each have their own kind of entry.
 */
final class ExpirySweep {
  /** Most index entries handled in one writer step. */
  static final int CHUNK = 1_000;

  /** What one chunk did: index entries walked, rows expired. */
  record Chunk(int walked, int expired) {}

  private final GroupCommitWriter writer;

  ExpirySweep(GroupCommitWriter writer) {
    this.writer = writer;
  }

  /** Expires everything due at {@code nowMillis}; returns how many rows expired. */
  int run(long nowMillis) throws StateStoreException {
    int total = 0;
    while (true) {
      Chunk c;
      try {
        c = writer.await((b, ledger) -> chunk(b, ledger, nowMillis));
      } catch (StoreRefusedException e) {
        throw new StateStoreException("expiry refused", e); // no step of a sweep refuses
      }
      total += c.expired();
      if (c.walked() < CHUNK) {
        return total;
      }
    }
  }

  static Chunk chunk(StagedBatch b, UsageLedger ledger, long nowMillis) throws RocksDBException {
    int expired = 0;
    var due = b.committedKeys(new byte[] {StoreKeys.EXPIRY}, StoreKeys.expiryBound(nowMillis), CHUNK);
    for (byte[] entry : due) {
      if (b.get(entry) == null) {
        continue; // removed earlier in this batch
      }
      b.delete(entry);
      byte[] row = StoreKeys.expiringRow(entry);
      if (row.length == 0) {
        continue;
      }
      switch (row[0]) {
        case StoreKeys.ENVELOPE -> {
          if (row.length == 1 + StoreKeys.ID_LENGTH + 8 && MailboxWrites.removeEnvelope(b, ledger,
              Arrays.copyOfRange(row, 1, 1 + StoreKeys.ID_LENGTH),
              Arrays.copyOfRange(row, 1 + StoreKeys.ID_LENGTH, row.length))) {
            expired++;
          }
        }
        case StoreKeys.INVITATION -> {
          byte[] v = b.get(row);
          if (v != null && StoreKeys.u64(v, 0) <= nowMillis && MailboxWrites.removeInvitation(b, ledger, row)) {
            expired++;
          }
        }
        case StoreKeys.MESSAGE -> { // a tombstone's entry: the row may since hold a resent envelope
          byte[] v = b.get(row);
          if (v != null) {
            MessageRow r = MessageRow.decode(v);
            if (!r.stored() && r.timeMillis() <= nowMillis) {
              b.delete(row);
            }
          }
        }
        case StoreKeys.IDLE -> {
          byte[] v = b.get(row);
          if (v != null && StoreKeys.u64(v, 0) <= nowMillis) {
            MailboxWrites.deleteAll(b, ledger, Arrays.copyOfRange(row, 1, row.length));
            expired++;
          }
        }
        default -> { } // an entry of a kind this version does not know: dropped
      }
    }
    return new Chunk(due.size(), expired);
  }
}
