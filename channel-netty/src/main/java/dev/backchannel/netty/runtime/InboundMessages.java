package dev.backchannel.netty.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.Gap;
import dev.backchannel.api.Message;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.DuplicateMessageException;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.envelope.EnvelopeSealer;
import dev.backchannel.crypto.ratchet.DecryptedMessage;
import dev.backchannel.crypto.ratchet.RatchetState;
import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.internal.runtime.ContactRecord;
import dev.backchannel.netty.internal.runtime.InboxRecord;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.internal.runtime.Receipt;
import dev.backchannel.netty.internal.runtime.Retire;
import dev.backchannel.netty.internal.runtime.Setup;
import dev.backchannel.netty.internal.runtime.UserMessage;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes one envelope that arrived for an established contact, on the stage: opens it with the
 * live ratchet (which is left unchanged if it fails), applies the payload to the contact record,
 * and schedules what follows the commit. Everything the contact chooses is bounded first: a
 * sequence jump past {@link #MAX_SEQUENCE_JUMP}, a receipt with too many ranges, a Setup naming a
 * relay this peer may not use, a second rotation before the first drained: each is refused and
 * logged, and the envelope is acknowledged so it is not delivered again.
 */
final class InboundMessages {
  private static final Logger LOG = LoggerFactory.getLogger(InboundMessages.class);
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  /** The largest forward jump of the contact's sequence numbers accepted (the ratchet's skip bound). */
  static final long MAX_SEQUENCE_JUMP = RatchetState.MAX_SKIPPED_KEYS;

  /** What one envelope did, for the listeners. */
  record Result(Message message, Gap gap, List<Long> delivered) {
    static final Result NOTHING = new Result(null, null, List.of());
  }

  private final PeerContext peer;
  private final LockKeeper locks;
  private final IntroductionMessages introductions;
  private final AgreementMessages agreements;

  InboundMessages(PeerContext peer, LockKeeper locks, IntroductionMessages introductions) {
    this.peer = peer;
    this.locks = locks;
    this.introductions = introductions;
    this.agreements = new AgreementMessages(peer, peer.agreements(), peer.escrow());
  }

  /** Processes {@code d} for {@code c}; the acknowledgement goes out after the commit. */
  Result process(StateTransaction tx, RelayLink link, RuntimeConversation c, Delivery d) {
    ContactSession s = c.session();
    DecryptedMessage dm;
    tx.acks().add(tx, link, d);
    try {
      dm = EnvelopeSealer.openBody(s.session(), d.mailboxId(), d.body());
    } catch (DuplicateMessageException e) {
      return Result.NOTHING;
    } catch (BackchannelException e) {
      LOG.warn("dropping an envelope that failed to open in a conversation: {}", e.toString());
      return Result.NOTHING;
    }
    tx.touch(s);
    ContactRecord.Builder r = s.record();
    if (Arrays.equals(d.mailboxId(), r.getPreviousReceiveMailbox().toByteArray())) {
      r.setReceivedOnPrevious(r.getReceivedOnPrevious() + 1);
      retireIfDrained(tx, c);
    }
    Payload p;
    try {
      p = Payload.parseFrom(dm.plaintext());
    } catch (InvalidProtocolBufferException e) {
      LOG.warn("dropping a payload that does not parse");
      return Result.NOTHING;
    }
    return switch (p.getBodyCase()) {
      case SETUP -> {
        setup(tx, link, c, p.getSetup());
        yield Result.NOTHING;
      }
      case MESSAGE -> message(tx, c, p.getMessage());
      case RECEIPT -> new Result(null, null, receipt(c, p.getReceipt()));
      case RETIRE -> {
        retire(tx, c, p.getRetire());
        yield Result.NOTHING;
      }
      default -> {
        if (IntroductionMessages.isIntroduction(p)) {
          introductions.handle(tx, c, p);
        } else if (AgreementMessages.isAgreement(p)) {
          agreements.handle(tx, c, p);
        }
        yield Result.NOTHING;
      }
    };
  }

  private Result message(StateTransaction tx, RuntimeConversation c, UserMessage m) {
    ContactRecord.Builder r = c.session().record();
    List<Long> delivered = m.hasReceipt() ? receipt(c, m.getReceipt()) : List.of();
    long last = r.getLastReceivedSequence();
    long seq = m.getSequence();
    if (seq < 1 || seq > last + 1 + MAX_SEQUENCE_JUMP) {
      LOG.warn("refusing a message whose sequence jumps past the bound");
      return new Result(null, null, delivered);
    }
    Gap gap = seq > last + 1 ? new Gap(last + 1, seq - 1) : null;
    r.setLastReceivedSequence(Math.max(last, seq));
    long now = System.currentTimeMillis();
    InboxRecord rec = InboxRecord.newBuilder().setSequence(seq).setSentAtMillis(m.getSentAtMillis())
        .setReceivedAtMillis(now).setBody(m.getBody()).build();
    tx.put(StateKeys.inbox(c.session().id(), seq), rec.toByteArray());
    c.session().received(tx, seq);
    Message msg = new Message(c.name(), seq, Instant.ofEpochMilli(m.getSentAtMillis()), Instant.ofEpochMilli(now),
        m.getBody().toByteArray());
    return new Result(msg, gap, delivered);
  }

  private List<Long> receipt(RuntimeConversation c, Receipt receipt) {
    List<ReceiptRanges.Range> ranges = ReceiptRanges.parse(receipt);
    if (ranges == null) {
      LOG.warn("refusing a receipt that breaks the bounds");
      return List.of();
    }
    return DeliveredLedger.confirm(c.session().record(), ranges);
  }

  private void setup(StateTransaction tx, RelayLink link, RuntimeConversation c, Setup setup) {
    ContactRecord.Builder r = c.session().record();
    if (setup.getReplyMailbox().size() != 32 || setup.getSenderKey().size() != 32) {
      LOG.warn("refusing a malformed setup");
      return;
    }
    if (!peer.links().allows(setup.getRelay())) {
      LOG.warn("refusing a setup that names a relay this peer may not use");
      return;
    }
    if (!r.getRetiringSendMailbox().isEmpty()) {
      LOG.warn("refusing a second mailbox change before the first one drained");
      return;
    }
    if (setup.getReplyMailbox().equals(r.getSendMailbox())) {
      return; // a repeat
    }
    boolean first = !r.getEstablished();
    if (!r.getSendMailbox().isEmpty()) {
      r.setRetiringSendMailbox(r.getSendMailbox()).setRetiringSendRelay(r.getSendRelay())
          .setSentToRetiring(r.getSentToSendMailbox());
    }
    r.setSendMailbox(setup.getReplyMailbox())
        .setSendRelay(setup.getRelay().isEmpty() ? link.address().toString() : setup.getRelay())
        .setSentToSendMailbox(0);
    if (first) {
      // The inviter's answer: from now on our mailbox takes only the inviter's key.
      r.setEstablished(true).setPeerSenderKey(setup.getSenderKey()).setLockPending(true);
      if (r.getProvenance() == 2) {
        introductions.confirmed(tx, c);
      }
    }
    byte[] sendMailbox = r.getSendMailbox().toByteArray();
    String sendRelay = r.getSendRelay();
    byte[] senderKey = r.getSenderKey().toByteArray();
    tx.afterCommit(() -> {
      try (SecretBytes k = SecretBytes.copyOf(senderKey, ACCESS)) {
        peer.links().get(sendRelay).useSenderKey(sendMailbox, k);
      } catch (BackchannelException e) {
        LOG.warn("no link for a contact's mailbox: {}", e.toString());
      }
      if (first) {
        locks.ensure(c);
      }
    });
  }

  private void retire(StateTransaction tx, RuntimeConversation c, Retire retire) {
    ContactRecord.Builder r = c.session().record();
    if (!retire.getMailbox().equals(r.getPreviousReceiveMailbox()) || r.getPreviousReceiveMailbox().isEmpty()) {
      return;
    }
    r.setPreviousExpected(Math.max(1, retire.getEnvelopes()));
    retireIfDrained(tx, c);
  }

  /** Deletes the previous mailbox once every envelope the contact sent there has been opened. */
  private void retireIfDrained(StateTransaction tx, RuntimeConversation c) {
    ContactRecord.Builder r = c.session().record();
    if (r.getPreviousExpected() == 0 || r.getReceivedOnPrevious() < r.getPreviousExpected()) {
      return;
    }
    byte[] mailbox = r.getPreviousReceiveMailbox().toByteArray();
    byte[] owner = r.getPreviousReceiveOwnerKey().toByteArray();
    String relay = r.getPreviousReceiveRelay();
    r.clearPreviousReceiveMailbox().clearPreviousReceiveOwnerKey().clearPreviousReceiveRelay()
        .clearPreviousExpected().clearReceivedOnPrevious().clearPreviousLockPending();
    tx.afterCommit(() -> {
      peer.conversations().unroute(mailbox);
      c.session().previousRetired();
      try (SecretBytes k = SecretBytes.copyOf(owner, ACCESS)) {
        peer.links().get(relay).deleteMailbox(mailbox, k);
      } catch (BackchannelException e) {
        LOG.warn("deleting a drained mailbox failed: {}", e.toString());
      }
    });
  }
}
