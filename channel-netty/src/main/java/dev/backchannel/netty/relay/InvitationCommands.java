package dev.backchannel.netty.relay;

import com.google.protobuf.ByteString;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.InvitationBundle;

/**
 * PutInvitation and FetchInvitation on one connection. Puts count against the creation budgets
 * and need the admission proof where the relay requires it; a fetch's reply (up to the bundle
 * limit) counts as a pending request until written, so a client that fetches without reading
 * stops being read ({@link ConnectionGuard}).
 */
final class InvitationCommands {
  private InvitationCommands() {}

  static void put(Connection c, long rid, Frame frame) {
    var p = frame.getPutInvitation();
    long now = System.currentTimeMillis();
    RelayConfig config = c.config;
    if (!MailboxCommands.hasLength(p.getInvitationId(), MailboxCommands.ID_LENGTH) || p.getBundle().isEmpty()) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "invitation id must be 32 bytes and the bundle present", false);
      return;
    }
    if (p.getBundle().size() > config.maxInvitationBytes()) {
      c.fail(rid, ErrorCode.TOO_LARGE, "invitation bundle exceeds " + config.maxInvitationBytes() + " bytes", false);
      return;
    }
    long expiresAtMillis = p.getExpiresAt() > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : p.getExpiresAt() * 1000;
    if (p.getExpiresAt() < 0 || expiresAtMillis <= now || expiresAtMillis > now + config.maxInvitationTtl().toMillis()) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "invitation expiry must be in the future and within "
          + config.maxInvitationTtl().toDays() + " days", false);
      return;
    }
    if (!MailboxCommands.admit(c, rid, p.getAdmission())) {
      return;
    }
    byte[] id = p.getInvitationId().toByteArray();
    byte[] bundle = p.getBundle().toByteArray();
    c.offload(rid, () -> {
      c.services.store().putInvitation(id, bundle, expiresAtMillis);
      return Frames.ok(rid);
    });
  }

  static void fetch(Connection c, long rid, Frame frame) {
    var f = frame.getFetchInvitation();
    if (!MailboxCommands.hasLength(f.getInvitationId(), MailboxCommands.ID_LENGTH)) {
      c.fail(rid, ErrorCode.BAD_REQUEST, "invitation id must be 32 bytes", false);
      return;
    }
    byte[] id = f.getInvitationId().toByteArray();
    c.offload(rid, () -> c.services.store().fetchInvitation(id, System.currentTimeMillis())
        .map(b -> Frame.newBuilder().setRequestId(rid)
            .setInvitationBundle(InvitationBundle.newBuilder().setBundle(ByteString.copyFrom(b)))
            .build())
        .orElse(Frames.error(rid, ErrorCode.NO_SUCH_INVITATION, "no such invitation")));
  }
}
