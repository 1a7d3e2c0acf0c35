package dev.backchannel.netty.client;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps sends to one mailbox in their order while the relay refuses it for a while: the first
 * refused send is retried alone with capped backoff, later ones wait behind it, and all go out in
 * order once it passes. Reset on every reconnect (the outbox is then sent again in order).
 * Loop-confined, not thread-safe.
 */
final class HeldSends {
  private long nextOrdinal;
  private final Map<ByteBuffer, Long> ordinals = new HashMap<>();
  private final Map<ByteBuffer, TreeMap<Long, Outbox.Entry>> held = new HashMap<>();
  private final Map<ByteBuffer, SendRetry> backoff = new HashMap<>();
  private final Set<ByteBuffer> retrying = new HashSet<>();
  private final Set<ByteBuffer> timers = new HashSet<>();

  private long ordinal(Outbox.Entry e) {
    return ordinals.computeIfAbsent(ByteBuffer.wrap(e.messageId()), k -> nextOrdinal++);
  }

  /** Notes the order of a send as it first goes out. */
  void sent(Outbox.Entry e) {
    ordinal(e);
  }

  /** Whether sends to {@code mailbox} must wait behind a refused one. */
  boolean isHeld(ByteBuffer mailbox) {
    return retrying.contains(mailbox) || !held.getOrDefault(mailbox, new TreeMap<>()).isEmpty();
  }

  /**
   * Queues {@code e} behind the mailbox's refused send (while {@link #isHeld}): it goes out when
   * that one passes. Leaves the mailbox's retry as it is (a timer set, or its head on the wire).
   */
  void queue(Outbox.Entry e) {
    held.computeIfAbsent(ByteBuffer.wrap(e.mailboxId()), k -> new TreeMap<>()).put(ordinal(e), e);
  }

  /**
   * The relay refused {@code e}: holds it in its place; returns the backoff to schedule the
   * mailbox's retry with, or null if a retry is already scheduled.
   */
  SendRetry hold(Outbox.Entry e) {
    ByteBuffer mailbox = ByteBuffer.wrap(e.mailboxId());
    held.computeIfAbsent(mailbox, k -> new TreeMap<>()).put(ordinal(e), e);
    retrying.remove(mailbox);
    if (!timers.add(mailbox)) {
      return null;
    }
    return backoff.merge(mailbox, new SendRetry(1), (a, b) -> a.next());
  }

  /** The mailbox's retry is due: the first held send, now on its way alone (null if none). */
  Outbox.Entry takeHead(ByteBuffer mailbox) {
    timers.remove(mailbox);
    TreeMap<Long, Outbox.Entry> q = held.get(mailbox);
    if (q == null || q.isEmpty()) {
      return null;
    }
    retrying.add(mailbox);
    return q.pollFirstEntry().getValue();
  }

  /** A send to {@code mailbox} passed: every held one may go, in order. */
  List<Outbox.Entry> release(ByteBuffer mailbox) {
    retrying.remove(mailbox);
    backoff.remove(mailbox);
    TreeMap<Long, Outbox.Entry> q = held.remove(mailbox);
    return q == null ? List.of() : new ArrayList<>(q.values());
  }

  /** A send is settled or given up: forget it. */
  void forget(Outbox.Entry e) {
    ByteBuffer id = ByteBuffer.wrap(e.messageId());
    Long o = ordinals.remove(id);
    TreeMap<Long, Outbox.Entry> q = held.get(ByteBuffer.wrap(e.mailboxId()));
    if (o != null && q != null) {
      q.remove(o);
    }
  }

  /** Forgets a given-up send by its id. */
  void forget(byte[] messageId) {
    Long o = ordinals.remove(ByteBuffer.wrap(messageId));
    if (o != null) {
      held.values().forEach(q -> q.remove(o));
    }
  }

  /** Whether {@code messageId} waits here. */
  boolean holds(byte[] messageId) {
    Long o = ordinals.get(ByteBuffer.wrap(messageId));
    return o != null && held.values().stream().anyMatch(q -> q.containsKey(o));
  }

  /** The connection dropped: the reconnect sends the outbox again in order. */
  void clear() {
    held.clear();
    retrying.clear();
    timers.clear();
  }
}
