package dev.backchannel.netty.runtime;

import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The acknowledgements of one batch, grouped by link and mailbox and handed to the links once the
 * batch is durable (each link then sends up to 256 per frame). Stage-confined; one per batch.
 */
final class Acks {
  private final Map<RelayLink, Map<ByteBuffer, List<byte[]>>> pending = new IdentityHashMap<>();
  private boolean scheduled;

  /** Acknowledges {@code d} on {@code link} after {@code tx} commits. */
  void add(StateTransaction tx, RelayLink link, Delivery d) {
    pending.computeIfAbsent(link, k -> new LinkedHashMap<>())
        .computeIfAbsent(ByteBuffer.wrap(d.mailboxId()), k -> new ArrayList<>()).add(d.messageId());
    if (!scheduled) {
      scheduled = true;
      tx.afterCommit(this::flush);
    }
  }

  private void flush() {
    pending.forEach((link, byMailbox) -> byMailbox.forEach((mailbox, ids) -> {
      byte[] id = new byte[32];
      mailbox.duplicate().get(id);
      link.acknowledge(id, ids);
    }));
    pending.clear();
    scheduled = false;
  }
}
