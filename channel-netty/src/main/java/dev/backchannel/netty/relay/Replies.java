package dev.backchannel.netty.relay;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.relay.store.StorageFullException;
import dev.backchannel.netty.relay.store.StoreRefusedException;
import java.util.concurrent.CompletionException;

/** Maps a store's failure to the typed error frame a client sees. Stateless. */
final class Replies {
  private Replies() {}

  static Throwable unwrap(Throwable err) {
    return err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
  }

  /** The error reply for {@code failure}: never a stack trace, never a secret. */
  static Frame failure(long rid, Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof QuotaExceededException) {
      return Frames.error(rid, ErrorCode.QUOTA_EXCEEDED, "mailbox is full");
    }
    if (cause instanceof StorageFullException) {
      return Frames.error(rid, ErrorCode.STORAGE_FULL, "relay storage is full, retry later");
    }
    if (cause instanceof StoreRefusedException r) {
      return switch (r.reason()) {
        case NO_SUCH_MAILBOX -> Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
        case LOCKED -> Frames.error(rid, ErrorCode.LOCKED, "mailbox is locked to another sender");
        case OWNER_CHANGED -> Frames.error(rid, ErrorCode.UNAUTHORIZED, "bad signature");
        case STORAGE_FULL -> Frames.error(rid, ErrorCode.STORAGE_FULL, "relay storage is full, retry later");
      };
    }
    return Frames.error(rid, ErrorCode.UNAVAILABLE, "storage unavailable, retry later");
  }
}
