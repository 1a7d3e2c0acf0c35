package dev.backchannel.netty.client;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link Outbox} in memory: survives reconnects, not process restarts. Thread-safe.
 *
 * @since 0.1
 */
public final class InMemoryOutbox implements Outbox {
  private final Map<ByteBuffer, Entry> entries = new LinkedHashMap<>();

  @Override
  public synchronized void put(Entry entry) {
    entries.put(ByteBuffer.wrap(entry.messageId()), entry);
  }

  @Override
  public synchronized void remove(byte[] messageId) {
    entries.remove(ByteBuffer.wrap(messageId.clone()));
  }

  @Override
  public synchronized List<Entry> pending() {
    return new ArrayList<>(entries.values());
  }

  @Override
  public synchronized String toString() {
    return "InMemoryOutbox[" + entries.size() + " pending]";
  }
}
