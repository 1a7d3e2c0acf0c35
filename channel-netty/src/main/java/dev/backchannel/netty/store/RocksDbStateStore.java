package dev.backchannel.netty.store;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.PassphraseRejectedException;
import dev.backchannel.api.error.StateLockedException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.spi.StateStore;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.atrest.Argon2idParameters;
import dev.backchannel.crypto.atrest.PassphraseKeys;
import dev.backchannel.crypto.atrest.StateSealer;
import dev.backchannel.netty.internal.fs.OwnerOnly;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The embedded, durable default {@link StateStore}: RocksDB, every commit one synced write batch
 * (atomic and durable). With a passphrase, every value is sealed at rest
 * ({@link StateSealer}, key from Argon2id); keys are opaque names that carry no secret.
 *
 * <p>The store remembers whether it was created with a passphrase: opening an encrypted store
 * without one, or with a wrong one, fails with {@link PassphraseRejectedException} and changes
 * nothing. A directory another store has open (in this process or another) fails with
 * {@link StateLockedException}.
 *
 * <p>On POSIX file systems a directory the store creates is {@code rwx------}, and the files in
 * it are made {@code rw-------} when the store opens and when it closes (RocksDB creates its
 * files with the process's umask; the directory keeps others out in between). Thread-safe.
 *
 * @since 0.1
 */
public final class RocksDbStateStore implements StateStore {
  static {
    RocksDB.loadLibrary();
  }

  private static final byte[] META_KEY = "~meta".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHECK_KEY = "~check".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CHECK_VALUE = "Backchannel state".getBytes(StandardCharsets.US_ASCII);

  private final Path directory;
  private final Options options;
  private final RocksDB db;
  private final WriteOptions sync;
  private final StateSealer sealer;
  private volatile boolean closed;

  private RocksDbStateStore(Options options, RocksDB db, StateSealer sealer, Path directory) {
    this.directory = directory;
    this.options = options;
    this.db = db;
    this.sync = new WriteOptions().setSync(true);
    this.sealer = sealer;
  }

  /**
   * Opens (creating if needed) the store in {@code directory}.
   *
   * @param passphrase null for no encryption at rest; zeroed by this call
   * @param params Argon2id cost for a new store (an existing one keeps its own)
   * @throws StateLockedException if another store has the directory open
   * @throws PassphraseRejectedException if the passphrase is wrong or missing for an encrypted
   *     store, or given for a plain one
   * @throws StateStoreException if the store cannot be opened for another reason
   */
  public static RocksDbStateStore open(Path directory, char[] passphrase, Argon2idParameters params)
      throws StateStoreException {
    Options options = new Options().setCreateIfMissing(true);
    RocksDB db;
    try {
      OwnerOnly.createDirectories(directory);
      db = RocksDB.open(options, directory.toString());
    } catch (java.io.IOException | RocksDBException e) {
      options.close();
      if (passphrase != null) {
        java.util.Arrays.fill(passphrase, '\0');
      }
      if (e instanceof RocksDBException r && isLockHeld(r)) {
        throw new StateLockedException("the state in " + directory
            + " is in use by another process", e);
      }
      throw new StateStoreException("cannot open the state in " + directory, e);
    }
    try {
      byte[] meta = db.get(META_KEY);
      StateSealer sealer = null;
      if (meta == null) {
        if (passphrase != null) {
          byte[] salt = new byte[PassphraseKeys.SALT_LENGTH];
          new SecureRandom().nextBytes(salt);
          try (SecretBytes key = PassphraseKeys.derive(passphrase, salt, params)) {
            sealer = new StateSealer(key);
          }
          ByteBuffer m = ByteBuffer.allocate(1 + 1 + 16 + 12)
              .put((byte) 1).put((byte) 1).put(salt)
              .putInt(params.memoryKiB()).putInt(params.iterations()).putInt(params.parallelism());
          try (WriteBatch b = new WriteBatch(); WriteOptions w = new WriteOptions().setSync(true)) {
            b.put(META_KEY, m.array());
            b.put(CHECK_KEY, sealer.seal("~check", CHECK_VALUE));
            db.write(w, b);
          }
        } else {
          try (WriteOptions w = new WriteOptions().setSync(true)) {
            db.put(w, META_KEY, new byte[] {1, 0});
          }
        }
      } else {
        boolean encrypted = meta.length > 1 && meta[1] == 1;
        if (encrypted && passphrase == null) {
          throw new PassphraseRejectedException("this state is encrypted: a passphrase is needed");
        }
        if (!encrypted && passphrase != null) {
          throw new PassphraseRejectedException("this state was created without a passphrase");
        }
        if (encrypted) {
          ByteBuffer m = ByteBuffer.wrap(meta, 2, meta.length - 2);
          byte[] salt = new byte[16];
          m.get(salt);
          Argon2idParameters stored = new Argon2idParameters(m.getInt(), m.getInt(), m.getInt());
          try (SecretBytes key = PassphraseKeys.derive(passphrase, salt, stored)) {
            sealer = new StateSealer(key);
          }
          try {
            sealer.open("~check", db.get(CHECK_KEY));
          } catch (AuthenticationFailedException | MalformedInputException e) {
            sealer.close();
            throw new PassphraseRejectedException("wrong passphrase");
          }
        }
      }
      OwnerOnly.restrictFiles(directory);
      return new RocksDbStateStore(options, db, sealer, directory);
    } catch (StateStoreException e) {
      db.close();
      options.close();
      throw e;
    } catch (RocksDBException | java.io.IOException | RuntimeException e) {
      db.close();
      options.close();
      throw new StateStoreException("cannot open the state in " + directory, e);
    } finally {
      if (passphrase != null) {
        java.util.Arrays.fill(passphrase, '\0');
      }
    }
  }

  /**
   * Whether RocksDB refused the directory because its {@code LOCK} file is held: by another
   * process ("While lock file: …: Resource temporarily unavailable") or by another store in this
   * one ("lock hold by current process"). RocksDB reports both as an I/O error with this text only.
   */
  static boolean isLockHeld(RocksDBException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    return m.contains("lock file") || m.contains("lock hold by current process")
        || m.contains("LOCK: ");
  }

  private static byte[] key(String k) {
    if (k.startsWith("~")) {
      throw new IllegalArgumentException("keys starting with '~' are reserved");
    }
    return k.getBytes(StandardCharsets.US_ASCII);
  }

  private void checkOpen() throws StateStoreException {
    if (closed) {
      throw new StateStoreException("state store is closed");
    }
  }

  @Override
  public Optional<byte[]> get(String k) throws StateStoreException {
    checkOpen();
    try {
      byte[] v = db.get(key(k));
      if (v == null) {
        return Optional.empty();
      }
      return Optional.of(sealer == null ? v : sealer.open(k, v));
    } catch (RocksDBException e) {
      throw new StateStoreException("cannot read the state", e);
    } catch (AuthenticationFailedException | MalformedInputException e) {
      throw new StateStoreException("state record " + k + " is corrupt");
    }
  }

  @Override
  public List<String> keys(String prefix) throws StateStoreException {
    checkOpen();
    List<String> out = new ArrayList<>();
    byte[] p = key(prefix);
    try (BoundedIterator bounded = BoundedIterator.withPrefix(db, p)) {
      RocksIterator it = bounded.it();
      for (it.seek(p); it.isValid(); it.next()) { // the bound ends the range at the prefix's end
        out.add(new String(it.key(), StandardCharsets.US_ASCII));
      }
    }
    return out;
  }

  @Override
  public void commit(Map<String, byte[]> puts, Collection<String> deletes) throws StateStoreException {
    checkOpen();
    try (WriteBatch b = new WriteBatch()) {
      for (String d : deletes) {
        b.delete(key(d));
      }
      for (Map.Entry<String, byte[]> e : puts.entrySet()) {
        byte[] v = sealer == null ? e.getValue() : sealer.seal(e.getKey(), e.getValue());
        b.put(key(e.getKey()), v);
      }
      db.write(sync, b);
    } catch (RocksDBException e) {
      throw new StateStoreException("cannot write the state", e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (sealer != null) {
      sealer.close();
    }
    db.close();
    sync.close();
    options.close();
    try {
      OwnerOnly.restrictFiles(directory);
    } catch (java.io.IOException e) {
      // best effort: the directory itself is owner-only
    }
  }

  @Override
  public String toString() {
    return "RocksDbStateStore[" + (sealer == null ? "plain" : "encrypted") + "]";
  }
}
