package dev.backchannel.netty.runtime;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peer's conversations, found by name, by contact id and by the mailboxes that receive for
 * them (current and previous). Written on the stage, read from any thread.
 */
final class Conversations {
  private final Map<String, RuntimeConversation> byName = new ConcurrentHashMap<>();
  private final Map<String, RuntimeConversation> byId = new ConcurrentHashMap<>();
  private final Map<ByteBuffer, RuntimeConversation> byMailbox = new ConcurrentHashMap<>();

  void add(RuntimeConversation c) {
    byName.put(c.name(), c);
    byId.put(c.session().id(), c);
  }

  void remove(RuntimeConversation c) {
    byName.remove(c.name(), c);
    byId.remove(c.session().id(), c);
    byMailbox.values().removeIf(x -> x == c);
  }

  /** Envelopes arriving at {@code mailbox} belong to {@code c}. */
  void route(byte[] mailbox, RuntimeConversation c) {
    byMailbox.put(ByteBuffer.wrap(mailbox.clone()), c);
  }

  void unroute(byte[] mailbox) {
    byMailbox.remove(ByteBuffer.wrap(mailbox));
  }

  Optional<RuntimeConversation> byName(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  Optional<RuntimeConversation> byId(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  Optional<RuntimeConversation> byMailbox(byte[] mailbox) {
    return Optional.ofNullable(byMailbox.get(ByteBuffer.wrap(mailbox)));
  }

  /** Every conversation, in the order they were made. */
  List<RuntimeConversation> all() {
    List<RuntimeConversation> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparingLong(c -> c.session().snapshot().getOrder()));
    return out;
  }

  int size() {
    return byId.size();
  }
}
