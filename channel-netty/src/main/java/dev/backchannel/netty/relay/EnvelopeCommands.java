package dev.backchannel.netty.relay;

import com.google.protobuf.ByteString;
import dev.backchannel.netty.internal.auth.CommandAuth;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Send and Ack on one connection. A send to a cached, unlocked mailbox (or one locked to the sender
 * this connection proved) goes from the event loop straight to the store's write queue; otherwise
 * the record is read and the per-send signature checked on a store thread first. Either way the
 * store's write step checks existence and lock again ({@link MailboxStore#appendChecked}), so a
 * stale cache can never store into a deleted or newly locked mailbox. A send whose own signature
 * was verified against the lock authorizes that sender on the connection, as {@code AuthorizeSender}
 * does, so a client whose authorization was refused (the mailbox was not locked yet) does not cost
 * a verification per send for the rest of the connection. An Ack removes up to
 * {@value #MAX_ACK_BATCH} envelopes in one step, leaving tombstones so a resend is not delivered
 * again.
 */
final class EnvelopeCommands {
  private static final Logger LOG = LoggerFactory.getLogger(EnvelopeCommands.class);
  static final int MESSAGE_ID_LENGTH = 16;
  /** The most envelopes one {@code Ack} frame may acknowledge. */
  static final int MAX_ACK_BATCH = 256;

  private EnvelopeCommands() {}

  static void send(Connection c, long rid, Frame frame) {
    var s = frame.getSend();
    if (!MailboxCommands.hasLength(s.getMailboxId(), MailboxCommands.ID_LENGTH)
        || !MailboxCommands.hasLength(s.getMessageId(), MESSAGE_ID_LENGTH)) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "mailbox id must be 32 bytes and message id 16", false);
      return;
    }
    int max = c.config.maxEnvelopeBytes();
    if (s.getBody().isEmpty() || s.getBody().size() > max) {
      c.fail(rid, ErrorCode.TOO_LARGE, "envelope body must be 1.." + max + " bytes", false);
      return;
    }
    byte[] id = s.getMailboxId().toByteArray();
    byte[] mid = s.getMessageId().toByteArray();
    byte[] body = s.getBody().toByteArray();
    c.started();
    MailboxRecord known = c.services.records().cached(id);
    byte[] authorized = c.authorizedSenders.get(ByteBuffer.wrap(id));
    // A send that carries its own signature still counts if the mailbox is locked to its key
    // between the cache (or the read below) and the store's write step.
    java.util.function.Supplier<byte[]> signed = s.getSenderKey().size() == 32 && !s.getSenderSignature().isEmpty()
        ? () -> c.verify(s.getSenderKey().toByteArray(), CommandAuth.SEND, id, CommandAuth.sendExtra(mid, body),
            s.getSenderSignature()) ? s.getSenderKey().toByteArray() : null
        : null;
    if (known != null && mayOmitSignature(known, authorized) && !c.sendsQueued()) {
      append(c, rid, s.getBatchOk(), id, mid, body, s.getBody(), authorized, signed);
      return;
    }
    c.execute(rid, () -> {
      Optional<MailboxRecord> m;
      try {
        m = c.services.records().get(id);
      } catch (Exception e) {
        c.complete(Replies.failure(rid, e));
        return;
      }
      if (m.isEmpty()) {
        c.complete(Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox"));
        return;
      }
      byte[] proven = authorized;
      if (!mayOmitSignature(m.get(), authorized)) {
        byte[] locked = m.get().lockedSenderKey().orElseThrow();
        boolean ok = MessageDigest.isEqual(locked, s.getSenderKey().toByteArray())
            && c.verify(locked, CommandAuth.SEND, id, CommandAuth.sendExtra(mid, body), s.getSenderSignature());
        if (!ok) {
          c.complete(Frames.error(rid, ErrorCode.LOCKED, "mailbox is locked to another sender"));
          return;
        }
        proven = locked;
        // The signature is bound to this connection's challenge, as an AuthorizeSender proof is:
        // later sends of this connection to this mailbox need none (and are not verified again).
        c.ctx.executor().execute(() -> c.authorize(id, locked));
      }
      append(c, rid, s.getBatchOk(), id, mid, body, s.getBody(), proven, proven == authorized ? signed : null);
    });
  }

  /**
   * Whether a send to {@code mailbox} needs no signature of its own: the mailbox is not locked, or
   * it is locked to the sender key this connection proved ({@code authorized}, may be null).
   */
  static boolean mayOmitSignature(MailboxRecord mailbox, byte[] authorized) {
    Optional<byte[]> locked = mailbox.lockedSenderKey();
    return locked.isEmpty() || (authorized != null && MessageDigest.isEqual(locked.get(), authorized));
  }

  /**
   * Appends through the store's checked write step and answers once durable (any thread); the
   * {@code Ok} of a send that set {@code batchOk} may share a frame with other sends' ({@link OkBatch}).
   */
  private static void append(Connection c, long rid, boolean batchOk, byte[] id, byte[] mid, byte[] body, ByteString bodyBytes,
      byte[] proven, java.util.function.Supplier<byte[]> signed) {
    RelayConfig config = c.config;
    long expiresAt = System.currentTimeMillis() + config.envelopeTtl().toMillis();
    var limits = new MailboxStore.AppendLimits(config.maxEnvelopesPerMailbox(), config.maxBytesPerMailbox(),
        config.limits().maxStoreBytes());
    c.services.store().appendChecked(id, mid, body, expiresAt, limits, proven).whenComplete((appended, err) -> {
      if (err != null) {
        Frame reply = Replies.failure(rid, err);
        if (signed != null && reply.getError().getCode() == ErrorCode.LOCKED) {
          c.execute(rid, () -> {
            byte[] sender = signed.get();
            if (sender == null) {
              c.complete(reply);
            } else {
              append(c, rid, batchOk, id, mid, body, bodyBytes, sender, null);
            }
          });
          return;
        }
        if (reply.getError().getCode() == ErrorCode.UNAVAILABLE) {
          LOG.warn("store of an envelope for {} failed: {}", RelayConnectionHandler.shortId(id),
              Replies.unwrap(err).toString());
        }
        c.complete(reply);
        return;
      }
      Subscriptions.NewEnvelope stored = appended.duplicate()
          ? null : new Subscriptions.NewEnvelope(id, mid, appended.sequence(), bodyBytes);
      if (stored == null) {
        c.completeOk(rid, batchOk);
        return;
      }
      RelayCounters counters = c.services.counters();
      counters.stored.incrementAndGet();
      counters.bytesStored.addAndGet(stored.body().size());
      c.completeOk(rid, batchOk);
      // Straight from the store's completion to the subscriber's event loop: one hand-off less on
      // every delivery's path, and completions arrive in commit order.
      c.services.subscriptions().stored(stored);
    });
  }

  static void ack(Connection c, long rid, Frame frame) {
    var a = frame.getAck();
    Subscriptions.Subscription sub = c.subscribed.get(ByteBuffer.wrap(a.getMailboxId().toByteArray()));
    if (sub == null) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "acknowledge only on a subscribed mailbox", false);
      return;
    }
    // The subscription on this connection was proven with the owner's signature over this
    // connection's challenge; it authorises acknowledgements, which carry no signature of their own.
    if (a.getMoreMessageIdsCount() > MAX_ACK_BATCH - 1) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "at most " + MAX_ACK_BATCH + " message ids in one acknowledgement", false);
      return;
    }
    List<byte[]> ids = new ArrayList<>(1 + a.getMoreMessageIdsCount());
    ids.add(a.getMessageId().toByteArray());
    for (var more : a.getMoreMessageIdsList()) {
      ids.add(more.toByteArray());
    }
    for (byte[] mid : ids) {
      if (mid.length != MESSAGE_ID_LENGTH) {
        c.fail(rid, ErrorCode.BAD_REQUEST, "message id must be 16 bytes", false);
        return;
      }
    }
    c.started();
    long tombstoneUntil = System.currentTimeMillis() + c.config.limits().tombstoneTtl().toMillis();
    c.services.store().removeAll(sub.mailboxId, ids, tombstoneUntil).whenComplete((n, err) -> {
      if (err != null) {
        c.complete(Frames.error(rid, ErrorCode.UNAVAILABLE, "storage unavailable, retry later"));
        return;
      }
      c.services.counters().acknowledged.addAndGet(n);
      c.complete(Frames.ok(rid));
    });
  }
}
