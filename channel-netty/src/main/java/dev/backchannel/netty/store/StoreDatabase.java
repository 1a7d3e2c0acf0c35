package dev.backchannel.netty.store;

import dev.backchannel.api.error.StateStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mailbox store's RocksDB instance, which the writer closes and opens again once a full disk
 * has room again. After a write fails for want of space RocksDB refuses every later write until it
 * is reopened (rocksdbjni has no {@code Resume()}, and its own recovery does not clear a failed
 * WAL write); reads keep working meanwhile. The writer thread marks the database {@linkplain
 * #markFull full}; before each later batch it calls {@link #recover}, which, at most once per
 * {@link #RECOVERY_INTERVAL_MILLIS} and only when the file system has at least {@link
 * #RECOVERY_FREE_BYTES} free, reopens the database (replaying its WAL: nothing durable is lost).
 * Readers on other threads hold a read lock, so a reopen never closes a database under them.
 */
final class StoreDatabase implements AutoCloseable {
  /** Free space a full store waits for before it reopens. */
  static final long RECOVERY_FREE_BYTES = 1L << 20;
  /** Least time between two reopening attempts. */
  static final long RECOVERY_INTERVAL_MILLIS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(StoreDatabase.class);

  /** A read against the open database. */
  @FunctionalInterface
  interface Read<T> {
    T apply(RocksDB db) throws RocksDBException;
  }

  private final Path directory;
  private final Options options;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile RocksDB db;
  private volatile boolean full;
  private long nextAttemptMillis;

  private StoreDatabase(Path directory, Options options, RocksDB db) {
    this.directory = directory;
    this.options = options;
    this.db = db;
  }

  /** Opens (creating if needed) the database in {@code directory}. */
  static StoreDatabase open(Path directory) throws RocksDBException {
    // Most reads are point lookups that miss (a new message id's message row): a
    // whole-key Bloom filter per table and in the memtable answers those without reading blocks.
    Options o = new Options().setCreateIfMissing(true)
        .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false)))
        .setMemtablePrefixBloomSizeRatio(0.1)
        .setMemtableWholeKeyFiltering(true);
    try {
      return new StoreDatabase(directory, o, RocksDB.open(o, directory.toString()));
    } catch (RocksDBException e) {
      o.close();
      throw e;
    }
  }

  /**
   * Runs {@code read} against the open database.
   *
   * @throws StateStoreException while a reopen after a full disk has not succeeded yet
   */
  <T> T read(Read<T> read) throws RocksDBException, StateStoreException {
    lock.readLock().lock();
    try {
      RocksDB d = db;
      if (d == null) {
        throw new StateStoreException("the mailbox store is reopening after its disk filled");
      }
      return read.apply(d);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Syncs the write-ahead log: every write that returned before the call is durable when it
   * returns.
   *
   * @throws StateStoreException while a reopen after a full disk has not succeeded yet
   */
  void syncWal() throws RocksDBException, StateStoreException {
    read(d -> {
      d.syncWal();
      return null;
    });
  }

  /** The database, for the writer thread (the only one that reopens it); null while reopening failed. */
  RocksDB writerDb() {
    return db;
  }

  /** The writer saw a write fail for want of space. */
  void markFull() {
    full = true;
    nextAttemptMillis = System.currentTimeMillis() + RECOVERY_INTERVAL_MILLIS;
  }

  /** Whether writes are refused until space is freed and the database reopened. */
  boolean full() {
    return full;
  }

  /**
   * Writer thread, before a batch: whether writes may go on, reopening a full database first when
   * it is time and there is room.
   */
  boolean recover() {
    if (!full) {
      return true;
    }
    long now = System.currentTimeMillis();
    if (now < nextAttemptMillis) {
      return false;
    }
    nextAttemptMillis = now + RECOVERY_INTERVAL_MILLIS;
    try {
      if (Files.getFileStore(directory).getUsableSpace() < RECOVERY_FREE_BYTES) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    lock.writeLock().lock();
    try {
      if (db != null) {
        db.close();
        db = null;
      }
      db = RocksDB.open(options, directory.toString());
      full = false;
      LOG.info("mailbox store reopened: its disk has room again");
      return true;
    } catch (RocksDBException e) {
      LOG.warn("mailbox store could not be reopened yet: {}", e.getMessage());
      return false;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (db != null) {
        db.close();
        db = null;
      }
      options.close();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
