package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.spi.StateStore;
import dev.backchannel.netty.client.Outbox;
import dev.backchannel.netty.internal.runtime.OutboxRecord;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Outbox} of a peer, kept in its durable {@link StateStore} under {@code outbox/<id>}.
 * The runtime writes an entry in the same commit as the session state that produced it, so
 * {@link #put} finds it already there; the link removes it when the relay acknowledges it.
 */
final class StateOutbox implements Outbox {
  static final String PREFIX = "outbox/";

  private final StateStore store;
  private final String relay;
  private final boolean home;

  /** The outbox of the link to {@code relay}; the home link also takes entries with no relay. */
  StateOutbox(StateStore store, String relay, boolean home) {
    this.store = store;
    this.relay = relay;
    this.home = home;
  }

  static String key(byte[] messageId) {
    return PREFIX + HexFormat.of().formatHex(messageId);
  }

  static byte[] record(String relay, byte[] mailboxId, byte[] messageId, byte[] body) {
    return OutboxRecord.newBuilder()
        .setRelay(relay)
        .setMailbox(ByteString.copyFrom(mailboxId))
        .setMessageId(ByteString.copyFrom(messageId))
        .setBody(ByteString.copyFrom(body))
        .build().toByteArray();
  }

  @Override
  public void put(Entry entry) throws StateStoreException {
    String k = key(entry.messageId());
    if (store.get(k).isEmpty()) {
      store.commit(Map.of(k, record(relay, entry.mailboxId(), entry.messageId(), entry.body())), Set.of());
    }
  }

  @Override
  public void remove(byte[] messageId) throws StateStoreException {
    store.commit(Map.of(), Set.of(key(messageId)));
  }

  @Override
  public List<Entry> pending() throws StateStoreException {
    List<Entry> out = new ArrayList<>();
    for (String k : store.keys(PREFIX)) {
      byte[] v = store.get(k).orElse(null);
      if (v == null) {
        continue;
      }
      try {
        OutboxRecord r = OutboxRecord.parseFrom(v);
        boolean mine = r.getRelay().equals(relay) || (home && r.getRelay().isEmpty());
        if (!mine) {
          continue;
        }
        out.add(new Entry(r.getMailbox().toByteArray(), r.getMessageId().toByteArray(), r.getBody().toByteArray()));
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("outbox record " + k + " is corrupt");
      }
    }
    return out;
  }
}
