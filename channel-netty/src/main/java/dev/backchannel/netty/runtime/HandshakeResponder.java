package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.handshake.SessionStart;
import dev.backchannel.crypto.invitation.InvitationSecrets;
import dev.backchannel.crypto.prekey.PreKeyStore;
import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.internal.runtime.ContactRecord;
import dev.backchannel.netty.internal.runtime.InvitationRecord;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.internal.runtime.Setup;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inviter's side of first contact, on the stage: opens an initial message that arrived at an
 * invitation mailbox, runs the responder half of the handshake, and makes the contact in one
 * transaction with the used prekeys' removal and the Setup reply, all without waiting on the
 * network (the reply mailbox is a spare made ahead, its lock is recorded and retried). The
 * invitation mailbox becomes the contact's previous mailbox: envelopes the invitee sent there
 * before our reply are read in order, and it is deleted once the invitee's Retire says they all
 * arrived. A message that fails, or comes from ourselves, is dropped and acknowledged.
 */
final class HandshakeResponder {
  private static final Logger LOG = LoggerFactory.getLogger(HandshakeResponder.class);
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PeerContext peer;
  private final Invitations invitations;
  private final MailboxPool pool;
  private final LockKeeper locks;
  private final Invitations.DeliveryRouterHolder router;
  private final Consumer<RuntimeConversation> opened;
  private final IntroductionHandshakes introductions;

  HandshakeResponder(PeerContext peer, Invitations invitations, MailboxPool pool, LockKeeper locks,
      Invitations.DeliveryRouterHolder router, Consumer<RuntimeConversation> opened,
      IntroductionHandshakes introductions) {
    this.introductions = introductions;
    this.peer = peer;
    this.invitations = invitations;
    this.pool = pool;
    this.locks = locks;
    this.router = router;
    this.opened = opened;
  }

  boolean handles(byte[] mailbox) {
    return invitations.isOpen(mailbox);
  }

  void process(StateTransaction tx, RelayLink link, Delivery d) {
    byte[] invMailbox = d.mailboxId();
    InvitationRecord inv = invitations.get(invMailbox).orElseThrow();
    PreKeyStore working;
    SessionStart.Accepted accepted;
    Setup setup;
    try (InvitationSecrets s = InvitationSecrets.derive(inv.getSecret().toByteArray())) {
      working = PreKeyStore.parse(invitations.prekeys().toByteArray());
      byte[] initial = s.openInitialMessage(d.body());
      boolean introduced = !inv.getIntroductionId().isEmpty();
      IdentityPublicKey expected = introduced ? IdentityPublicKey.parse(inv.getExpectedIdentity().toByteArray()) : null;
      byte[] context = !introduced ? s.mailboxId() : IntroductionBinding.context(s.mailboxId(),
          inv.getIntroductionId().toByteArray(), inv.getIntroducerFingerprint().toByteArray(),
          expected.fingerprint(), peer.identity().publicKey().fingerprint());
      accepted = SessionStart.accept(peer.identity(), working, initial, context);
      if (introduced && !accepted.peer().equals(expected)) {
        throw new MalformedInputException("the initial message is not from the introduced party");
      }
      Payload p = Payload.parseFrom(accepted.firstPayload());
      if (!p.hasSetup() || p.getSetup().getReplyMailbox().size() != 32 || p.getSetup().getSenderKey().size() != 32) {
        throw new MalformedInputException("first message is not a setup");
      }
      setup = p.getSetup();
    } catch (BackchannelException | InvalidProtocolBufferException e) {
      LOG.warn("dropping an initial message that failed: {}", e.toString());
      tx.acks().add(tx, link, d);
      return;
    }
    if (accepted.peer().equals(peer.identity().publicKey())) {
      LOG.warn("dropping an initial message from ourselves");
      tx.acks().add(tx, link, d);
      return;
    }
    var spare = pool.take(tx);
    if (spare.isEmpty()) {
      // No mailbox ready to answer with: come back when one is (not acknowledged meanwhile).
      pool.whenReady(() -> peer.stage().later(t -> {
        if (handles(invMailbox)) {
          process(t, link, d);
        }
        return null;
      }));
      return;
    }
    // The invitee names its home relay; the user who handed it the invitation accepts that choice.
    String sendRelay = setup.getRelay().isEmpty() ? link.address().toString() : setup.getRelay();
    if (!setup.getRelay().isEmpty()) {
      peer.links().allow(setup.getRelay());
    }
    try (SecretBytes senderKey = Ed25519.generatePrivateKey()) {
      String cid = HexFormat.of().formatHex(random(8));
      String home = peer.links().home().toString();
      ContactRecord.Builder rb = ContactRecord.newBuilder().setVersion(1).setName(inv.getName())
          .setPeerIdentity(ByteString.copyFrom(accepted.peer().encoded()))
          .setReceiveMailbox(ByteString.copyFrom(spare.get().mailboxId()))
          .setReceiveOwnerKey(ByteString.copyFrom(spare.get().ownerKey()))
          .setReceiveRelay(home)
          .setPreviousReceiveMailbox(ByteString.copyFrom(invMailbox))
          .setPreviousReceiveOwnerKey(inv.getMailboxOwnerKey())
          .setPreviousReceiveRelay(inv.getRelay())
          .setReceivedOnPrevious(1)
          .setSendMailbox(setup.getReplyMailbox())
          .setSendRelay(sendRelay)
          .setPeerSenderKey(setup.getSenderKey())
          .setSenderKey(ByteString.copyFrom(senderKey.toByteArray(ACCESS)))
          .setEstablished(true)
          .setLockPending(true)
          .setPreviousLockPending(true)
          .setNextSendSequence(1)
          .setCreatedAtMillis(System.currentTimeMillis())
          .setOrder(System.nanoTime())
          .setSession(ByteString.copyFrom(accepted.session().toByteArray()));
      if (!inv.getIntroductionId().isEmpty()) {
        rb.setProvenance(2).setIntroducerFingerprint(inv.getIntroducerFingerprint())
            .setIntroducerName(inv.getIntroducerName());
      }
      ContactRecord r = rb.build();
      RuntimeConversation c = new RuntimeConversation(peer, new ContactSession(peer, cid, r));
      c.session().queue(tx, Payload.newBuilder().setSetup(Setup.newBuilder()
          .setReplyMailbox(ByteString.copyFrom(spare.get().mailboxId()))
          .setSenderKey(ByteString.copyFrom(Ed25519.publicKey(senderKey)))
          .setRelay(home)).build(), 0);
      tx.put(StateKeys.PEER, Invitations.peerRecord(peer.identity(), working));
      invitations.used(tx, invMailbox, c);
      if (!inv.getIntroductionKey().isEmpty()) {
        introductions.responderConnected(tx, inv.getIntroductionKey(), c);
      }
      tx.acks().add(tx, link, d);
      byte[] senderBytes = senderKey.toByteArray(ACCESS);
      peer.conversations().add(c);
      peer.conversations().route(invMailbox, c);
      peer.conversations().route(spare.get().mailboxId(), c);
      var before = invitations.prekeys();
      invitations.prekeysUsed(working);
      tx.onFailure(() -> {
        peer.conversations().remove(c);
        invitations.prekeysUsed(before);
      });
      tx.afterCommit(() -> {
        try {
          router.router.subscribe(peer.links().get(home), spare.get().mailboxId(), spare.get().ownerKey());
          try (SecretBytes k = SecretBytes.copyOf(senderBytes, ACCESS)) {
            peer.links().get(sendRelay).useSenderKey(setup.getReplyMailbox().toByteArray(), k);
          }
        } catch (BackchannelException e) {
          LOG.warn("no link for a new contact: {}", e.toString());
        }
        locks.ensure(c);
        opened.accept(c);
      });
    } catch (BackchannelException e) {
      LOG.warn("dropping an initial message whose contact cannot be made: {}", e.toString());
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
