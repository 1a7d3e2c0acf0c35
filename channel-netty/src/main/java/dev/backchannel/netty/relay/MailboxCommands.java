package dev.backchannel.netty.relay;

import dev.backchannel.netty.internal.auth.AdmissionProof;
import dev.backchannel.netty.internal.auth.CommandAuth;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.relay.store.MailboxRecord;
import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The owner's commands on one connection: create, subscribe, lock, delete, and a sender's
 * authorisation. Signatures are checked against the record as read; the store's write step checks
 * existence and owner again, so a command that raced a delete or a re-creation is refused, and the
 * record cache is dropped around every change ({@link MailboxRecords}).
 */
final class MailboxCommands {
  static final int ID_LENGTH = 32;

  private MailboxCommands() {}

  static boolean hasLength(ByteString b, int n) {
    return b.size() == n;
  }

  static InetAddress address(Connection c) {
    return c.ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
  }

  /**
   * Checks admission and the creation budgets of a CreateMailbox or PutInvitation; answers and
   * returns false if refused.
   */
  static boolean admit(Connection c, long rid, ByteString admission) {
    byte[] secret = c.config.admissionSecret();
    if (secret != null && !AdmissionProof.verify(secret, c.challenge, admission.toByteArray())) {
      c.fail(rid, ErrorCode.ADMISSION_REQUIRED, "this relay admits creations only with its admission secret", false);
      return false;
    }
    InetAddress address = address(c);
    if (c.creations >= c.config.limits().maxCreationsPerConnection()
        || (address != null && !c.services.addresses().create(address))) {
      c.fail(rid, ErrorCode.BUDGET_EXCEEDED, "too many mailboxes or invitations created, retry later", false);
      return false;
    }
    long held = c.services.store().storedBytes();
    if (held >= 0 && held >= c.config.limits().maxStoreBytes()) {
      c.fail(rid, ErrorCode.STORAGE_FULL, "relay storage is full, retry later", false);
      return false;
    }
    c.creations++;
    return true;
  }

  static void create(Connection c, long rid, Frame frame) {
    var m = frame.getCreateMailbox();
    if (!hasLength(m.getMailboxId(), ID_LENGTH) || !hasLength(m.getOwnerKey(), 32)) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "mailbox id and owner key must be 32 bytes", false);
      return;
    }
    byte[] id = m.getMailboxId().toByteArray();
    byte[] owner = m.getOwnerKey().toByteArray();
    if (!c.verify(owner, CommandAuth.CREATE, id, null, m.getSignature())) {
      c.fail(rid, ErrorCode.UNAUTHORIZED, "bad signature", false);
      return;
    }
    if (!admit(c, rid, m.getAdmission())) {
      return;
    }
    long idleUntil = System.currentTimeMillis() + c.config.limits().mailboxIdleTtl().toMillis();
    c.offload(rid, () -> {
      c.services.records().changing(id);
      try {
        if (!c.services.store().createMailbox(new MailboxRecord(id, owner, null))) {
          return Frames.error(rid, ErrorCode.MAILBOX_EXISTS, "mailbox exists");
        }
      } finally {
        c.services.records().changed(id);
      }
      c.services.store().touch(id, idleUntil); // the idle deadline; the create is durable already
      return Frames.ok(rid);
    });
  }

  static void subscribe(Connection c, long rid, Frame frame) {
    var s = frame.getSubscribe();
    if (!hasLength(s.getMailboxId(), ID_LENGTH)) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "mailbox id must be 32 bytes", false);
      return;
    }
    byte[] id = s.getMailboxId().toByteArray();
    if (!c.subscribed.containsKey(ByteBuffer.wrap(id))
        && c.subscribed.size() >= c.config.limits().maxSubscriptionsPerConnection()) {
      c.fail(rid, ErrorCode.BUDGET_EXCEEDED, "too many subscriptions on one connection", false);
      return;
    }
    long idleUntil = System.currentTimeMillis() + c.config.limits().mailboxIdleTtl().toMillis();
    c.offload(rid, () -> {
      // Fresh from the store: another node sharing it may have deleted or re-created the mailbox.
      Optional<MailboxRecord> m = c.services.records().fresh(id);
      if (m.isEmpty()) {
        return Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
      }
      byte[] owner = m.get().ownerKey();
      if (!c.verify(owner, CommandAuth.SUBSCRIBE, id, null, s.getSignature())) {
        return Frames.error(rid, ErrorCode.UNAUTHORIZED, "bad signature");
      }
      c.services.store().touch(id, idleUntil); // keeps the mailbox from idle expiry; need not wait
      Subscriptions subs = c.services.subscriptions();
      c.complete(Frames.ok(rid), () -> {
        Subscriptions.Subscription sub = subs.create(c.ctx.channel(), id, owner);
        Subscriptions.Subscription old = c.subscribed.put(ByteBuffer.wrap(id), sub);
        if (old != null) {
          subs.remove(old);
        }
        subs.add(sub);
      });
      return null;
    });
  }

  static void authorizeSender(Connection c, long rid, Frame frame) {
    var a = frame.getAuthorizeSender();
    if (!hasLength(a.getMailboxId(), ID_LENGTH) || !hasLength(a.getSenderKey(), 32)) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "mailbox id and sender key must be 32 bytes", false);
      return;
    }
    byte[] id = a.getMailboxId().toByteArray();
    byte[] sender = a.getSenderKey().toByteArray();
    if (!c.authorizedSenders.containsKey(ByteBuffer.wrap(id))
        && c.authorizedSenders.size() >= c.config.limits().maxSubscriptionsPerConnection()) {
      c.fail(rid, ErrorCode.BUDGET_EXCEEDED, "too many authorised senders on one connection", false);
      return;
    }
    c.offload(rid, () -> {
      Optional<MailboxRecord> m = c.services.records().fresh(id);
      if (m.isEmpty()) {
        return Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
      }
      Optional<byte[]> locked = m.get().lockedSenderKey();
      if (locked.isEmpty() || !MessageDigest.isEqual(locked.get(), sender)) {
        return Frames.error(rid, ErrorCode.LOCKED, "mailbox is not locked to this sender");
      }
      if (!c.verify(sender, CommandAuth.AUTHORIZE_SENDER, id, sender, a.getSignature())) {
        return Frames.error(rid, ErrorCode.UNAUTHORIZED, "bad signature");
      }
      c.complete(Frames.ok(rid), () -> c.authorize(id, sender));
      return null;
    });
  }

  static void lock(Connection c, long rid, Frame frame) {
    var l = frame.getLockMailbox();
    if (!hasLength(l.getMailboxId(), ID_LENGTH) || !hasLength(l.getSenderKey(), 32)) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "mailbox id and sender key must be 32 bytes", false);
      return;
    }
    byte[] id = l.getMailboxId().toByteArray();
    byte[] sender = l.getSenderKey().toByteArray();
    c.offload(rid, () -> {
      // Fresh from the store: another node sharing it may have deleted or re-created the mailbox.
      Optional<MailboxRecord> m = c.services.records().fresh(id);
      if (m.isEmpty()) {
        return Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
      }
      byte[] owner = m.get().ownerKey();
      if (!c.verify(owner, CommandAuth.LOCK, id, sender, l.getSignature())) {
        return Frames.error(rid, ErrorCode.UNAUTHORIZED, "bad signature");
      }
      c.services.records().changing(id);
      try {
        return c.services.store().lock(id, owner, sender).isPresent()
            ? Frames.ok(rid) : Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
      } finally {
        c.services.records().changed(id);
      }
    });
  }

  static void delete(Connection c, long rid, Frame frame) {
    var d = frame.getDeleteMailbox();
    if (!hasLength(d.getMailboxId(), ID_LENGTH)) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "mailbox id must be 32 bytes", false);
      return;
    }
    byte[] id = d.getMailboxId().toByteArray();
    c.offload(rid, () -> {
      // Fresh from the store: another node sharing it may have deleted or re-created the mailbox.
      Optional<MailboxRecord> m = c.services.records().fresh(id);
      if (m.isEmpty()) {
        return Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
      }
      byte[] owner = m.get().ownerKey();
      if (!c.verify(owner, CommandAuth.DELETE, id, null, d.getSignature())) {
        return Frames.error(rid, ErrorCode.UNAUTHORIZED, "bad signature");
      }
      c.services.records().changing(id);
      boolean deleted;
      try {
        deleted = c.services.store().deleteMailbox(id, owner);
      } finally {
        c.services.records().changed(id);
      }
      if (!deleted) {
        return Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
      }
      c.complete(Frames.ok(rid), () -> {
        Subscriptions.Subscription s = c.subscribed.remove(ByteBuffer.wrap(id));
        if (s != null) {
          c.services.subscriptions().remove(s);
        }
      });
      return null;
    });
  }
}
