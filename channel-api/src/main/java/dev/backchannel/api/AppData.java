package dev.backchannel.api;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.StateStoreException;
import java.util.List;
import java.util.Optional;

/**
 * A small key-value space for the embedding application inside the peer's state: values are
 * stored like the peer's own (sealed at rest when the state has a passphrase, durable when
 * {@link #put} returns), so an application keeps what it must remember (which contacts it has
 * shown, its settings) without writing files in the clear beside the state.
 *
 * <p>Keys are stored in the clear and must carry no secret: 1..{@link #MAX_KEY_CHARS} characters
 * from {@code [A-Za-z0-9._-]}. Values are at most {@link #MAX_VALUE_BYTES} bytes; at most {@link
 * #MAX_KEYS} keys. Thread-safe.
 *
 * @since 0.3
 */
public interface AppData {
  /** The longest key. */
  int MAX_KEY_CHARS = 64;
  /** The largest value. */
  int MAX_VALUE_BYTES = 65_536;
  /** The most keys. */
  int MAX_KEYS = 4096;

  /**
   * The value of {@code key}, if set.
   *
   * @throws dev.backchannel.api.error.MalformedInputException for a key that breaks the rules
   * @throws StateStoreException if the state cannot be read
   */
  Optional<byte[]> get(String key) throws BackchannelException;

  /**
   * Sets {@code key} to {@code value}, durably, before returning.
   *
   * @throws dev.backchannel.api.error.MalformedInputException for a key or value that breaks the rules
   * @throws dev.backchannel.api.error.QuotaExceededException when {@link #MAX_KEYS} keys exist already
   * @throws StateStoreException if the state cannot be written
   */
  void put(String key, byte[] value) throws BackchannelException;

  /**
   * Removes {@code key}, durably, if it is set.
   *
   * @throws dev.backchannel.api.error.MalformedInputException for a key that breaks the rules
   * @throws StateStoreException if the state cannot be written
   */
  void delete(String key) throws BackchannelException;

  /** Every key set, in ascending order. */
  List<String> keys() throws StateStoreException;
}
