package dev.backchannel.netty.relay;

import java.time.Duration;
import java.util.Objects;

/**
 * The relay's defences against hostile clients, full disks and its own limits, with a named
 * default each (docs/PROTOCOL.md, "Relay behaviour"). Immutable; validated on construction (a
 * value out of range throws {@link IllegalArgumentException} naming it and the allowed range);
 * start from {@link #defaults()} and change one value with a {@code with…} method.
 *
 * @param writeBufferLowWaterMark a connection becomes writable again below this many queued bytes
 * @param writeBufferHighWaterMark above this many queued bytes a connection is not writable: the
 *     relay stops reading from it (no new requests, so no new replies) and stops pushing to it
 * @param maxUnwritableTime a connection that stays unwritable this long is closed
 * @param storeQueueCapacity most tasks waiting for the relay's store threads; beyond it requests
 *     are refused with {@code UNAVAILABLE}
 * @param maxConnectionsPerAddress most concurrent connections from one source address
 * @param maxCreationsPerConnection most {@code CreateMailbox} and {@code PutInvitation} per connection
 * @param maxCreationsPerAddressPerMinute sustained creations per source address per minute
 *     (bursts of as many)
 * @param maxSubscriptionsPerConnection most mailboxes one connection subscribes to or is
 *     authorised to send to
 * @param maxStoreBytes storage watermark: bytes of bodies and bundles the store may hold in all
 * @param mailboxIdleTtl a mailbox nobody subscribed to (or created) for this long is deleted
 * @param tombstoneTtl how long an acknowledged envelope's id is remembered, so that a resend is
 *     recognised and not delivered again
 * @since 0.2
 */
public record RelayLimits(
    int writeBufferLowWaterMark,
    int writeBufferHighWaterMark,
    Duration maxUnwritableTime,
    int storeQueueCapacity,
    int maxConnectionsPerAddress,
    int maxCreationsPerConnection,
    int maxCreationsPerAddressPerMinute,
    int maxSubscriptionsPerConnection,
    long maxStoreBytes,
    Duration mailboxIdleTtl,
    Duration tombstoneTtl) {
  /** Default low water mark: 32 KiB. */
  public static final int DEFAULT_WRITE_BUFFER_LOW_WATER_MARK = 32 * 1024;
  /** Default high water mark: 128 KiB. */
  public static final int DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK = 128 * 1024;
  /** Default longest time a connection may stay unwritable: 30 s. */
  public static final Duration DEFAULT_MAX_UNWRITABLE_TIME = Duration.ofSeconds(30);
  /** Default most tasks queued for the store threads. */
  public static final int DEFAULT_STORE_QUEUE_CAPACITY = 4_096;
  /** Default most connections per source address. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;
  /** Default most creations per connection. */
  public static final int DEFAULT_MAX_CREATIONS_PER_CONNECTION = 1_024;
  /** Default creations per source address per minute. */
  public static final int DEFAULT_MAX_CREATIONS_PER_ADDRESS_PER_MINUTE = 600;
  /** Default most subscriptions (and sender authorisations) per connection. */
  public static final int DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 10_000;
  /** Default storage watermark: 32 GiB. */
  public static final long DEFAULT_MAX_STORE_BYTES = 32L << 30;
  /** Default idle horizon of an unsubscribed mailbox: 90 days. */
  public static final Duration DEFAULT_MAILBOX_IDLE_TTL = Duration.ofDays(90);
  /** Default lifetime of an acknowledged envelope's tombstone: 7 days. */
  public static final Duration DEFAULT_TOMBSTONE_TTL = Duration.ofDays(7);

  /** Validates every value. */
  public RelayLimits {
    range("writeBufferLowWaterMark", writeBufferLowWaterMark, 1024, 64 << 20);
    range("writeBufferHighWaterMark", writeBufferHighWaterMark, writeBufferLowWaterMark, 64 << 20);
    positive("maxUnwritableTime", maxUnwritableTime);
    range("storeQueueCapacity", storeQueueCapacity, 16, 1_000_000);
    range("maxConnectionsPerAddress", maxConnectionsPerAddress, 1, 1_000_000);
    range("maxCreationsPerConnection", maxCreationsPerConnection, 1, 1_000_000_000);
    range("maxCreationsPerAddressPerMinute", maxCreationsPerAddressPerMinute, 1, 1_000_000_000);
    range("maxSubscriptionsPerConnection", maxSubscriptionsPerConnection, 1, 1_000_000);
    range("maxStoreBytes", maxStoreBytes, 1024, Long.MAX_VALUE);
    positive("mailboxIdleTtl", mailboxIdleTtl);
    positive("tombstoneTtl", tombstoneTtl);
  }

  private static void range(String name, long v, long min, long max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + v);
    }
  }

  private static void positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  /** Every default. */
  public static RelayLimits defaults() {
    return new RelayLimits(DEFAULT_WRITE_BUFFER_LOW_WATER_MARK, DEFAULT_WRITE_BUFFER_HIGH_WATER_MARK,
        DEFAULT_MAX_UNWRITABLE_TIME, DEFAULT_STORE_QUEUE_CAPACITY,
        DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_MAX_CREATIONS_PER_CONNECTION,
        DEFAULT_MAX_CREATIONS_PER_ADDRESS_PER_MINUTE, DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
        DEFAULT_MAX_STORE_BYTES, DEFAULT_MAILBOX_IDLE_TTL, DEFAULT_TOMBSTONE_TTL);
  }

  /** These limits with other write-buffer water marks. */
  public RelayLimits withWriteBufferWaterMarks(int low, int high) {
    return new RelayLimits(low, high, maxUnwritableTime, storeQueueCapacity,
        maxConnectionsPerAddress, maxCreationsPerConnection, maxCreationsPerAddressPerMinute,
        maxSubscriptionsPerConnection, maxStoreBytes, mailboxIdleTtl, tombstoneTtl);
  }

  /** These limits with another longest unwritable time. */
  public RelayLimits withMaxUnwritableTime(Duration d) {
    return new RelayLimits(writeBufferLowWaterMark, writeBufferHighWaterMark, d,
        storeQueueCapacity, maxConnectionsPerAddress, maxCreationsPerConnection,
        maxCreationsPerAddressPerMinute, maxSubscriptionsPerConnection, maxStoreBytes, mailboxIdleTtl,
        tombstoneTtl);
  }

  /** These limits with other per-address connection and creation budgets and a per-connection one. */
  public RelayLimits withBudgets(int connectionsPerAddress, int creationsPerConnection, int creationsPerAddressPerMinute) {
    return new RelayLimits(writeBufferLowWaterMark, writeBufferHighWaterMark, maxUnwritableTime,
        storeQueueCapacity, connectionsPerAddress, creationsPerConnection,
        creationsPerAddressPerMinute, maxSubscriptionsPerConnection, maxStoreBytes, mailboxIdleTtl,
        tombstoneTtl);
  }

  /** These limits with another storage watermark. */
  public RelayLimits withMaxStoreBytes(long bytes) {
    return new RelayLimits(writeBufferLowWaterMark, writeBufferHighWaterMark, maxUnwritableTime,
        storeQueueCapacity, maxConnectionsPerAddress, maxCreationsPerConnection,
        maxCreationsPerAddressPerMinute, maxSubscriptionsPerConnection, bytes, mailboxIdleTtl,
        tombstoneTtl);
  }

  /** These limits with other idle-mailbox and tombstone lifetimes. */
  public RelayLimits withLifetimes(Duration mailboxIdle, Duration tombstone) {
    return new RelayLimits(writeBufferLowWaterMark, writeBufferHighWaterMark, maxUnwritableTime,
        storeQueueCapacity, maxConnectionsPerAddress, maxCreationsPerConnection,
        maxCreationsPerAddressPerMinute, maxSubscriptionsPerConnection, maxStoreBytes, mailboxIdle,
        tombstone);
  }
}
