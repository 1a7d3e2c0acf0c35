package dev.backchannel.netty.runtime;

import dev.backchannel.api.AppData;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.StateStoreException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@link AppData} over the peer's state store: keys {@code app/<key>}, written through the serial
 * stage (so a put is one durable commit, ordered with the peer's own writes), read from the store.
 */
final class RuntimeAppData implements AppData {
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_KEY_CHARS + "}");

  private final PeerContext peer;

  RuntimeAppData(PeerContext peer) {
    this.peer = peer;
  }

  private static String stateKey(String key) throws MalformedInputException {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new MalformedInputException("an application data key is 1.." + MAX_KEY_CHARS
          + " characters from [A-Za-z0-9._-]");
    }
    return StateKeys.APP_PREFIX + key;
  }

  @Override
  public Optional<byte[]> get(String key) throws BackchannelException {
    return peer.store().get(stateKey(key));
  }

  @Override
  public void put(String key, byte[] value) throws BackchannelException {
    String k = stateKey(key);
    if (value == null || value.length > MAX_VALUE_BYTES) {
      throw new MalformedInputException("an application data value is at most " + MAX_VALUE_BYTES + " bytes");
    }
    byte[] copy = value.clone();
    peer.stage().call(tx -> {
      if (peer.store().get(k).isEmpty() && peer.store().keys(StateKeys.APP_PREFIX).size() >= MAX_KEYS) {
        throw new QuotaExceededException("at most " + MAX_KEYS + " application data keys");
      }
      tx.put(k, copy);
      return null;
    });
  }

  @Override
  public void delete(String key) throws BackchannelException {
    String k = stateKey(key);
    peer.stage().call(tx -> {
      tx.delete(k);
      return null;
    });
  }

  @Override
  public List<String> keys() throws StateStoreException {
    return peer.store().keys(StateKeys.APP_PREFIX).stream()
        .map(k -> k.substring(StateKeys.APP_PREFIX.length())).sorted().toList();
  }
}
