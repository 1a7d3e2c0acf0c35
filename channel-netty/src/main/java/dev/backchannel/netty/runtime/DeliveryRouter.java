package dev.backchannel.netty.runtime;

import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes the peer's mailboxes and carries every delivery from the links to the serial stage:
 * to the handshake responder for an invitation mailbox, to {@link InboundMessages} for a
 * conversation's mailbox. The hand-off runs on the link's I/O thread and never blocks; it is
 * bounded: above {@link #HIGH_WATER} queued deliveries the links stop reading from the relays, and
 * below {@link #LOW_WATER} they read again.
 */
final class DeliveryRouter {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryRouter.class);
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  static final int HIGH_WATER = 2048;
  static final int LOW_WATER = 256;

  private final PeerContext peer;
  private final InboundMessages inbound;
  private final HandshakeResponder responder;

  DeliveryRouter(PeerContext peer, InboundMessages inbound, HandshakeResponder responder) {
    this.peer = peer;
    this.inbound = inbound;
    this.responder = responder;
  }

  /** Subscribes to {@code mailbox} on {@code link}; the link subscribes again after reconnects. */
  void subscribe(RelayLink link, byte[] mailbox, byte[] ownerKey) {
    try (SecretBytes k = SecretBytes.copyOf(ownerKey, ACCESS)) {
      link.subscribe(mailbox, k, d -> arrived(link, d)).whenComplete((v, e) -> {
        if (e != null && !peer.closed()) {
          LOG.warn("subscribing to a mailbox failed: {}", e.toString());
        }
      });
    }
  }

  private void arrived(RelayLink link, Delivery d) {
    if (peer.closed()) {
      return;
    }
    peer.stage().submitDelivery(tx -> {
      route(tx, link, d);
      return null;
    });
    if (peer.stage().queuedDeliveries() > HIGH_WATER) {
      peer.links().pauseReading();
    }
  }

  /** Called by the stage after each batch: reads again once the stage caught up. */
  void afterBatch() {
    if (peer.links().readingPaused() && peer.stage().queuedDeliveries() < LOW_WATER) {
      peer.links().resumeReading();
    }
  }

  /** Processes one delivery (stage). */
  void route(StateTransaction tx, RelayLink link, Delivery d) {
    if (responder.handles(d.mailboxId())) {
      responder.process(tx, link, d);
      return;
    }
    RuntimeConversation c = peer.conversations().byMailbox(d.mailboxId()).orElse(null);
    if (c == null) {
      return; // a mailbox we no longer read: nothing to do, the relay deletes it with the mailbox
    }
    InboundMessages.Result r = inbound.process(tx, link, c, d);
    if (r.message() != null || r.gap() != null || !r.delivered().isEmpty()) {
      tx.afterCommit(() -> c.arrived(r));
    }
  }
}
