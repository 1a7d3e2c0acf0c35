package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.UnknownSessionException;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.internal.runtime.ContactRecord;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.internal.runtime.Setup;
import java.util.concurrent.CompletableFuture;

/**
 * Moves a conversation's receiving mailbox to a fresh one (a spare from the pool, locked to the
 * contact's sender key in the background) and announces it with a Setup inside the ratchet. The
 * old mailbox stays subscribed until the contact's Retire says how many envelopes it sent there
 * and all of them were opened: nothing on its way to the old mailbox is lost.
 */
final class MailboxRotation {
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();

  private final PeerContext peer;
  private final MailboxPool pool;
  private final LockKeeper locks;
  private final Invitations.DeliveryRouterHolder router;

  MailboxRotation(PeerContext peer, MailboxPool pool, LockKeeper locks, Invitations.DeliveryRouterHolder router) {
    this.peer = peer;
    this.pool = pool;
    this.locks = locks;
    this.router = router;
  }

  /** Starts a rotation; completes once the announcement is durably at the relay. */
  CompletableFuture<Void> rotate(RuntimeConversation c) {
    CompletableFuture<Void> out = new CompletableFuture<>();
    peer.stage().submit(tx -> {
      attempt(tx, c, out);
      return null;
    }).whenComplete((v, e) -> {
      if (e != null) {
        out.completeExceptionally(e);
      }
    });
    return out;
  }

  private void attempt(StateTransaction tx, RuntimeConversation c, CompletableFuture<Void> out)
      throws BackchannelException {
    ContactRecord.Builder r = c.session().record();
    if (!r.getEstablished() || r.getPeerSenderKey().isEmpty()) {
      throw new UnknownSessionException("the conversation is not established yet");
    }
    if (!r.getPreviousReceiveMailbox().isEmpty()) {
      // One change at a time: this one starts once the contact has drained the previous mailbox.
      c.session().whenPreviousRetired(() -> peer.stage().later(t -> {
        try {
          attempt(t, c, out);
        } catch (BackchannelException e) {
          out.completeExceptionally(e);
        }
        return null;
      }));
      return;
    }
    var spare = pool.take(tx);
    if (spare.isEmpty()) {
      pool.whenReady(() -> peer.stage().later(t -> {
        try {
          attempt(t, c, out);
        } catch (BackchannelException e) {
          out.completeExceptionally(e);
        }
        return null;
      }));
      return;
    }
    byte[] mailbox = spare.get().mailboxId();
    byte[] mySender;
    try (SecretBytes k = SecretBytes.copyOf(r.getSenderKey().toByteArray(), ACCESS)) {
      mySender = Ed25519.publicKey(k);
    }
    String home = peer.links().home().toString();
    r.setPreviousReceiveMailbox(r.getReceiveMailbox())
        .setPreviousReceiveOwnerKey(r.getReceiveOwnerKey())
        .setPreviousReceiveRelay(r.getReceiveRelay())
        .setPreviousLockPending(false)
        .clearReceivedOnPrevious().clearPreviousExpected()
        .setReceiveRelay(home)
        .setReceiveMailbox(ByteString.copyFrom(mailbox))
        .setReceiveOwnerKey(ByteString.copyFrom(spare.get().ownerKey()))
        .setLockPending(true);
    CompletableFuture<Long> announced = c.session().queue(tx, Payload.newBuilder().setSetup(Setup.newBuilder()
        .setReplyMailbox(ByteString.copyFrom(mailbox))
        .setSenderKey(ByteString.copyFrom(mySender))
        .setRelay(home)).build(), 0);
    tx.afterCommit(() -> {
      peer.conversations().route(mailbox, c);
      try {
        router.router.subscribe(peer.links().get(home), mailbox, spare.get().ownerKey());
      } catch (BackchannelException e) {
        out.completeExceptionally(e);
        return;
      }
      locks.ensure(c);
      announced.whenComplete((v, e) -> {
        if (e != null) {
          out.completeExceptionally(e);
        } else {
          out.complete(null);
        }
      });
    });
  }
}
