package dev.backchannel.netty.client;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Turns the relay's reply frames into results or typed errors: {@link #error} maps an
 * {@code Error} frame to {@link QuotaExceededException} or {@link RelayRejectedException}, and
 * {@link #of} completes a caller's future on the callback executor, never on the event loop.
 * Thread-safe.
 */
final class Replies {
  private final Executor callbacks;

  Replies(Executor callbacks) {
    this.callbacks = callbacks;
  }

  /** The typed error a reply frame carries, or null if it is not an error. */
  static BackchannelException error(Frame reply) {
    if (!reply.hasError()) {
      return null;
    }
    ErrorCode code = reply.getError().getCode();
    String reason = reply.getError().getReason();
    if (code == ErrorCode.QUOTA_EXCEEDED) {
      return new QuotaExceededException("relay: " + reason);
    }
    RelayErrorCode mapped = switch (code) {
      case BAD_REQUEST -> RelayErrorCode.BAD_REQUEST;
      case UNAUTHORIZED -> RelayErrorCode.UNAUTHORIZED;
      case NO_SUCH_MAILBOX, NO_SUCH_INVITATION -> RelayErrorCode.NO_SUCH_MAILBOX;
      case MAILBOX_EXISTS -> RelayErrorCode.MAILBOX_EXISTS;
      case LOCKED -> RelayErrorCode.LOCKED;
      case TOO_LARGE -> RelayErrorCode.TOO_LARGE;
      case RATE_LIMITED -> RelayErrorCode.RATE_LIMITED;
      case UNAVAILABLE -> RelayErrorCode.UNAVAILABLE;
      case INTERNAL -> RelayErrorCode.INTERNAL;
      case STORAGE_FULL -> RelayErrorCode.STORAGE_FULL;
      case BUDGET_EXCEEDED -> RelayErrorCode.BUDGET_EXCEEDED;
      case ADMISSION_REQUIRED -> RelayErrorCode.ADMISSION_REQUIRED;
      case TOO_MANY_CONNECTIONS -> RelayErrorCode.TOO_MANY_CONNECTIONS;
      default -> RelayErrorCode.UNKNOWN;
    };
    return new RelayRejectedException(mapped, reason);
  }

  /** Completes on the callback executor: normally with {@code value}, or with the typed error. */
  <T> CompletableFuture<T> of(CompletableFuture<Frame> f, Function<Frame, T> value) {
    CompletableFuture<T> out = new CompletableFuture<>();
    f.whenComplete((frame, err) -> callbacks.execute(() -> {
      if (err != null) {
        out.completeExceptionally(err);
        return;
      }
      BackchannelException e = error(frame);
      if (e != null) {
        out.completeExceptionally(e);
      } else {
        out.complete(value.apply(frame));
      }
    }));
    return out;
  }
}
