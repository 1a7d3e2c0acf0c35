package dev.backchannel.netty.client;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects acknowledgements per mailbox and releases them in frames of at most {@link #MAX_IDS}
 * ids, only for mailboxes whose subscription the current connection has confirmed: the relay
 * accepts an acknowledgement only from the connection that subscribed. Loop-confined, not
 * thread-safe.
 */
final class AckBatcher {
  /** The most message ids one {@code Ack} frame carries. */
  static final int MAX_IDS = 256;

  /** Acknowledgements of one mailbox to go out in one frame. */
  record Batch(byte[] mailboxId, List<byte[]> messageIds) {}

  private final Map<ByteBuffer, List<byte[]>> held = new LinkedHashMap<>();
  private final Set<ByteBuffer> confirmed = new HashSet<>();

  /** Queues acknowledgements of {@code ids} in {@code mailbox}. */
  void add(ByteBuffer mailbox, List<byte[]> ids) {
    held.computeIfAbsent(mailbox, k -> new ArrayList<>()).addAll(ids);
  }

  /** The current connection's subscription to {@code mailbox} was confirmed by the relay. */
  void confirmed(ByteBuffer mailbox) {
    confirmed.add(mailbox);
  }

  /** The connection dropped: every subscription must be confirmed again. */
  void connectionLost() {
    confirmed.clear();
  }

  /** The mailbox is no longer subscribed (deleted): its acknowledgements are pointless. */
  void forget(ByteBuffer mailbox) {
    held.remove(mailbox);
    confirmed.remove(mailbox);
  }

  /** Takes every batch that may go out now. */
  List<Batch> drain() {
    List<Batch> out = new ArrayList<>();
    var it = held.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (!confirmed.contains(e.getKey())) {
        continue;
      }
      byte[] mailbox = new byte[e.getKey().remaining()];
      e.getKey().duplicate().get(mailbox);
      List<byte[]> ids = e.getValue();
      for (int i = 0; i < ids.size(); i += MAX_IDS) {
        out.add(new Batch(mailbox, List.copyOf(ids.subList(i, Math.min(ids.size(), i + MAX_IDS)))));
      }
      it.remove();
    }
    return out;
  }

  /** How many acknowledgements wait (for tests). */
  int heldCount() {
    int n = 0;
    for (List<byte[]> ids : held.values()) {
      n += ids.size();
    }
    return n;
  }
}
