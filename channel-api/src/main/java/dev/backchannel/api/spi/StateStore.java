package dev.backchannel.api.spi;

import dev.backchannel.api.error.StateStoreException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A peer's durable key-value state: identity, prekeys, sessions, contacts, outbox and inbox.
 *
 * <p>Contract: {@link #commit} applies all its puts and deletes atomically and durably (after it
 * returns they survive a crash; after a crash during it, none or all of them are visible).
 * Keys are ASCII and carry no secret; values may be secret and are the implementation's to
 * protect at rest. Thread-safe.
 *
 * @since 0.1
 */
public interface StateStore extends AutoCloseable {
  /** The value under {@code key}, if any. */
  Optional<byte[]> get(String key) throws StateStoreException;

  /** Every key starting with {@code prefix}, in ascending order. */
  List<String> keys(String prefix) throws StateStoreException;

  /** Applies {@code puts} and {@code deletes} atomically and durably. */
  void commit(Map<String, byte[]> puts, Collection<String> deletes) throws StateStoreException;

  /** Releases the store. Idempotent. */
  @Override
  void close();
}
