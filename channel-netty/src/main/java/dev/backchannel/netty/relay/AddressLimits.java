package dev.backchannel.netty.relay;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per source address accounting shared by all connections: how many connections each address
 * holds, and a token bucket of creations (CreateMailbox, PutInvitation) per address. Bounded: at
 * most {@value #MAX_ADDRESSES} addresses have a creation bucket (past it the buckets start over,
 * which only ever gives budgets back). Thread-safe.
 */
final class AddressLimits {
  static final int MAX_ADDRESSES = 100_000;

  private final RelayLimits limits;
  private final ConcurrentHashMap<InetAddress, Integer> connections = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetAddress, Bucket> creations = new ConcurrentHashMap<>();

  /** Tokens and the last refill, of one address. */
  private static final class Bucket {
    double tokens;
    long lastNanos;

    Bucket(double tokens, long lastNanos) {
      this.tokens = tokens;
      this.lastNanos = lastNanos;
    }
  }

  AddressLimits(RelayLimits limits) {
    this.limits = limits;
  }

  /** Counts a new connection from {@code address}; false (and not counted) if it holds the most. */
  boolean connect(InetAddress address) {
    boolean[] ok = {false};
    connections.compute(address, (a, n) -> {
      int c = n == null ? 0 : n;
      if (c >= limits.maxConnectionsPerAddress()) {
        return n;
      }
      ok[0] = true;
      return c + 1;
    });
    return ok[0];
  }

  /** A counted connection from {@code address} closed. */
  void disconnect(InetAddress address) {
    connections.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  /** Takes one creation from the address's budget; false when it is spent for now. */
  boolean create(InetAddress address) {
    if (creations.size() >= MAX_ADDRESSES) {
      creations.clear();
    }
    double perMinute = limits.maxCreationsPerAddressPerMinute();
    long now = System.nanoTime();
    boolean[] ok = {false};
    creations.compute(address, (a, b) -> {
      Bucket bucket = b != null ? b : new Bucket(perMinute, now);
      bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.lastNanos) * perMinute / 60e9);
      bucket.lastNanos = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        ok[0] = true;
      }
      return bucket;
    });
    return ok[0];
  }
}
