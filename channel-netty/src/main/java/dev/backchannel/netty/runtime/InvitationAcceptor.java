package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.InvalidInvitationException.Reason;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.api.error.UndeliverableException;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.handshake.SessionStart;
import dev.backchannel.crypto.invitation.InvitationSecrets;
import dev.backchannel.crypto.prekey.PreKeyBundle;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.internal.runtime.ContactRecord;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.internal.runtime.Setup;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * The invitee's side of first contact. Network steps (fetching the bundle, creating the receive
 * mailbox, waiting for the relay to hold the initial message) run on the caller's thread; the
 * contact is made on the stage in one transaction with the initial message in the outbox. Until
 * the inviter answers, sends go to the invitation mailbox, signed with this side's sender key,
 * behind the initial message, so the inviter reads them on its first receive.
 */
final class InvitationAcceptor {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InvitationAcceptor.class);
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PeerContext peer;
  private final Invitations.DeliveryRouterHolder router;

  InvitationAcceptor(PeerContext peer, Invitations.DeliveryRouterHolder router) {
    this.peer = peer;
    this.router = router;
  }

  /** Work done in the transaction that makes the contact. */
  interface InTransaction {
    void run(StateTransaction tx, RuntimeConversation c) throws BackchannelException;
  }

  RuntimeConversation accept(Invitation invitation, String name, Invitations.NameCheck names)
      throws BackchannelException {
    return accept(invitation, name, names, null, null);
  }

  /**
   * Accepts {@code invitation}; with a {@code binding}, as the initiator of that introduction:
   * the bundle must be the expected identity's, the handshake context binds the introduction, and
   * the contact records its introducer. {@code inTx} runs in the transaction that makes the contact.
   */
  RuntimeConversation accept(Invitation invitation, String name, Invitations.NameCheck names,
      IntroductionBinding binding, InTransaction inTx) throws BackchannelException {
    peer.stage().call(tx -> {
      names.check(name);
      return null;
    });
    if (invitation.isExpired(Instant.now())) {
      throw new InvalidInvitationException(Reason.EXPIRED,
          "the invitation expired at " + invitation.expiresAt() + ": ask for a new one");
    }
    if (peer.identity().publicKey().hasFingerprint(invitation.inviterFingerprint())) {
      throw new InvalidInvitationException(Reason.MISMATCH, "this is your own invitation");
    }
    peer.links().allow(invitation.relay()); // chosen by the local user
    byte[] secret = invitation.secret();
    try (InvitationSecrets s = InvitationSecrets.derive(secret);
        SecretBytes owner = Ed25519.generatePrivateKey();
        SecretBytes senderKey = Ed25519.generatePrivateKey()) {
      RelayLink theirs = peer.links().get(invitation.relay());
      RelayLink mine = peer.links().get(peer.links().home());
      PreKeyBundle bundle = fetchBundle(theirs, s, invitation);
      if (binding != null && !bundle.identity().equals(binding.expected())) {
        throw new InvalidInvitationException(Reason.MISMATCH, "the invitation is not the introduced party's");
      }
      byte[] context = binding == null ? s.mailboxId() : IntroductionBinding.context(s.mailboxId(), binding.id(),
          binding.introducerFingerprint(), peer.identity().publicKey().fingerprint(), bundle.identity().fingerprint());
      byte[] mailbox = random(32);
      await(mine.createMailbox(mailbox, owner));
      String home = peer.links().home().toString();
      byte[] setup = Payload.newBuilder().setSetup(Setup.newBuilder()
          .setReplyMailbox(ByteString.copyFrom(mailbox))
          .setSenderKey(ByteString.copyFrom(Ed25519.publicKey(senderKey)))
          .setRelay(home)).build().toByteArray();
      SessionStart.Started started = SessionStart.initiate(peer.identity(), bundle, context, setup);
      byte[] body = s.sealInitialMessage(started.initialMessage());
      String cid = HexFormat.of().formatHex(random(8));
      byte[] invMailbox = s.mailboxId();
      String invRelay = invitation.relay().toString();
      ContactRecord.Builder rb = ContactRecord.newBuilder().setVersion(1).setName(name)
          .setPeerIdentity(ByteString.copyFrom(bundle.identity().encoded()))
          .setReceiveMailbox(ByteString.copyFrom(mailbox))
          .setReceiveOwnerKey(ByteString.copyFrom(owner.toByteArray(ACCESS)))
          .setReceiveRelay(home)
          .setSendMailbox(ByteString.copyFrom(invMailbox))
          .setSendRelay(invRelay)
          .setSentToSendMailbox(1)
          .setSenderKey(ByteString.copyFrom(senderKey.toByteArray(ACCESS)))
          .setNextSendSequence(1)
          .setProvenance(1)
          .setCreatedAtMillis(System.currentTimeMillis())
          .setOrder(System.nanoTime())
          .setSession(ByteString.copyFrom(started.session().toByteArray()));
      if (binding != null) {
        rb.setProvenance(2).setIntroducerFingerprint(ByteString.copyFrom(binding.introducerFingerprint()))
            .setIntroducerName(binding.introducerName());
      }
      ContactRecord r = rb.build();
      byte[] mid = random(16);
      byte[] ownerBytes = owner.toByteArray(ACCESS);
      byte[] senderBytes = senderKey.toByteArray(ACCESS);
      CompletableFuture<Void> held = new CompletableFuture<>();
      RuntimeConversation c = peer.stage().call(tx -> {
        names.check(name);
        RuntimeConversation conv = new RuntimeConversation(peer, new ContactSession(peer, cid, r));
        if (inTx != null) {
          inTx.run(tx, conv);
        }
        tx.put(StateKeys.contact(cid), r.toByteArray());
        OutboxLedger.Entry entry = new OutboxLedger.Entry(invMailbox, mid, body, invRelay, cid,
            System.currentTimeMillis(), 0);
        tx.put(StateKeys.outbox(mid), entry.record());
        tx.afterCommit(() -> {
          peer.conversations().add(conv);
          peer.conversations().route(mailbox, conv);
          router.router.subscribe(mine, mailbox, ownerBytes);
          try (SecretBytes k = SecretBytes.copyOf(senderBytes, ACCESS)) {
            theirs.useSenderKey(invMailbox, k);
          }
          peer.outbox().add(entry);
          theirs.send(invMailbox, mid, body).whenComplete((v, e) -> {
            if (e != null) {
              held.completeExceptionally(e);
            } else {
              held.complete(null);
            }
          });
        });
        return conv;
      });
      try {
        await(held);
      } catch (BackchannelException e) {
        theirs.cancel(mid);
        undo(c, mine, mailbox, ownerBytes);
        if (e instanceof UndeliverableException u && u.getCause() instanceof RelayRejectedException rr) {
          e = rr;
        }
        if (e instanceof RelayRejectedException rr
            && (rr.code() == RelayErrorCode.NO_SUCH_MAILBOX || rr.code() == RelayErrorCode.LOCKED)) {
          throw new InvalidInvitationException(Reason.USED, "the invitation was already used: ask for a new one");
        }
        throw e;
      }
      return c;
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  private PreKeyBundle fetchBundle(RelayLink theirs, InvitationSecrets s, Invitation invitation)
      throws BackchannelException {
    byte[] sealed;
    try {
      sealed = await(theirs.fetchInvitation(s.bundleId()));
    } catch (RelayRejectedException e) {
      if (e.code() == RelayErrorCode.NO_SUCH_MAILBOX) {
        throw new InvalidInvitationException(Reason.USED, "the invitation was already used or withdrawn: ask for a new one");
      }
      throw e;
    }
    PreKeyBundle bundle;
    try {
      bundle = PreKeyBundle.parse(s.openBundle(sealed));
    } catch (AuthenticationFailedException | MalformedInputException e) {
      throw new InvalidInvitationException(Reason.MISMATCH,
          "the relay returned a bundle that does not belong to this invitation");
    }
    if (!bundle.identity().hasFingerprint(invitation.inviterFingerprint())) {
      throw new InvalidInvitationException(Reason.MISMATCH,
          "the inviter's keys do not match the fingerprint in the invitation");
    }
    return bundle;
  }

  private void undo(RuntimeConversation c, RelayLink mine, byte[] mailbox, byte[] owner) {
    peer.stage().later(tx -> {
      forget(tx, c);
      return null;
    });
  }

  /**
   * Deletes a contact made here that never heard back: its record, its routes and its receiving
   * mailbox (stage). What it still had in the outbox is given up.
   */
  void forget(StateTransaction tx, RuntimeConversation c) {
    ContactRecord r = c.session().snapshot();
    tx.delete(StateKeys.contact(c.session().id()));
    byte[] mailbox = r.getReceiveMailbox().toByteArray();
    byte[] owner = r.getReceiveOwnerKey().toByteArray();
    String relay = r.getReceiveRelay();
    tx.afterCommit(() -> {
      peer.conversations().remove(c);
      for (OutboxLedger.Entry e : peer.outbox().forContact(c.session().id())) {
        try {
          peer.links().get(e.relay()).cancel(e.messageId());
        } catch (BackchannelException ex) {
          LOG.debug("giving up a send of a forgotten contact failed: {}", ex.toString());
        }
      }
      try (SecretBytes k = SecretBytes.copyOf(owner, ACCESS)) {
        peer.links().get(relay).deleteMailbox(mailbox, k);
      } catch (BackchannelException e) {
        LOG.debug("deleting a forgotten contact's mailbox failed: {}", e.toString());
      }
    });
  }

  private <T> T await(CompletableFuture<T> f) throws BackchannelException {
    return Network.await(f, peer.config().networkTimeout());
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
