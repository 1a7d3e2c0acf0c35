package dev.backchannel.netty.relay;

import dev.backchannel.netty.internal.wire.ErrorCode;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of a running relay. Counts only: no ids, no keys. Thread-safe. {@code unwritableClosed}
 * counts connections closed because they stayed unwritable too long (they stopped reading).
 * {@code rejected} is the sum of the refusals by {@link Refusal}.
 *
 * @since 0.1
 */
public final class RelayCounters {
  /**
   * Why the relay refused a request or a connection: the wire error code it answered with, or one
   * of the two causes that close a connection without an answer. A small fixed set, so it is safe
   * as a metric tag.
   *
   * @since 0.1
   */
  public enum Refusal {
    /** The request frame was malformed or not allowed in the connection's state. */
    BAD_REQUEST,
    /** A signature or the owner key was refused. */
    UNAUTHORIZED,
    /** The mailbox does not exist. */
    NO_SUCH_MAILBOX,
    /** The mailbox already exists. */
    MAILBOX_EXISTS,
    /** The mailbox is locked to another sender. */
    LOCKED,
    /** A mailbox's envelope or byte quota is exhausted. */
    QUOTA_EXCEEDED,
    /** A frame or envelope over the size limit. */
    TOO_LARGE,
    /** Too many requests held while over the rate, or while not reading replies. */
    RATE_LIMITED,
    /** The store could not take the request (overloaded, failing, shutting down). */
    UNAVAILABLE,
    /** An error inside the relay. */
    INTERNAL,
    /** The invitation bundle does not exist or expired. */
    NO_SUCH_INVITATION,
    /** The store is at its watermark or its disk is full. */
    STORAGE_FULL,
    /** A connection or address created too many mailboxes or invitations. */
    BUDGET_EXCEEDED,
    /** Creation without the admission proof on a relay that requires it. */
    ADMISSION_REQUIRED,
    /** Too many connections from one source address. */
    TOO_MANY_CONNECTIONS,
    /** The relay's own connection limit was reached: closed without an answer. */
    CONNECTION_LIMIT,
    /** The connection failed (reset, TLS or an unexpected error) and was closed. */
    CONNECTION_ERROR;

    /** The lower-case name used as a metric tag value, e.g. {@code quota_exceeded}. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Refusal of(ErrorCode code) {
      try {
        return valueOf(code.name());
      } catch (IllegalArgumentException e) {
        return INTERNAL; // ERROR_CODE_UNSPECIFIED or a code newer than this enum
      }
    }
  }

  final AtomicLong connections = new AtomicLong();
  final AtomicLong connectionsTotal = new AtomicLong();
  final AtomicLong stored = new AtomicLong();
  final AtomicLong delivered = new AtomicLong();
  final AtomicLong acknowledged = new AtomicLong();
  final AtomicLong expired = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong bytesStored = new AtomicLong();
  final AtomicLong unwritableClosed = new AtomicLong();
  /** Requests that came over a connection's rate and waited for it (paced, not refused). */
  final AtomicLong rateLimited = new AtomicLong();
  private final AtomicLongArray refusals = new AtomicLongArray(Refusal.values().length);

  /** Counters at zero, for one relay (a relay makes its own; tests and embedders may share one). */
  public RelayCounters() {}

  /** Counts one refusal for {@code reason} (and in {@code rejected}). */
  void refused(Refusal reason) {
    refusals.incrementAndGet(reason.ordinal());
    rejected.incrementAndGet();
  }

  /** Counts one refusal answered with {@code code}. */
  void refused(ErrorCode code) {
    refused(Refusal.of(code));
  }

  /** Refusals for {@code reason} so far. */
  public long refusals(Refusal reason) {
    return refusals.get(reason.ordinal());
  }

  /**
   * A consistent-enough copy of the counters at one moment.
   *
   * @param refusals refusals by reason, every reason present (unmodifiable)
   */
  public record Snapshot(
      long connections,
      long connectionsTotal,
      long stored,
      long delivered,
      long acknowledged,
      long expired,
      long rejected,
      long bytesStored,
      long unwritableClosed,
      long rateLimited,
      Map<Refusal, Long> refusals) {}

  /** The current values. */
  public Snapshot snapshot() {
    Map<Refusal, Long> byReason = new EnumMap<>(Refusal.class);
    for (Refusal r : Refusal.values()) {
      byReason.put(r, refusals(r));
    }
    return new Snapshot(
        connections.get(), connectionsTotal.get(), stored.get(), delivered.get(),
        acknowledged.get(), expired.get(), rejected.get(), bytesStored.get(),
        unwritableClosed.get(), rateLimited.get(), Collections.unmodifiableMap(byReason));
  }
}
