package dev.backchannel.redis;

import dev.backchannel.redis.internal.RedisKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link RedisMailboxStore} reaches its cluster and how hard it waits for durability.
 * Immutable; made by {@link #builder()}, whose setters reject a bad value at once, naming the
 * rule. {@link #toString()} shows the nodes and settings, never the password.
 *
 * <p>Durability: the cluster is expected to run every master with {@code appendonly yes} and
 * {@code appendfsync always}, so a write a master acknowledged is on its disk.
 * {@link Builder#waitReplicas(int)} adds {@code WAIT n} after each write script: the write is
 * then also in the memory of {@code n} replicas (see {@link RedisMailboxStore} for what each
 * setting survives).
 *
 * @since 0.2
 */
public final class RedisStoreConfig {
  private final List<String> nodes;
  private final String keyPrefix;
  private final int waitReplicas;
  private final Duration waitTimeout;
  private final Duration commandTimeout;
  private final Duration expiryBucket;
  private final String username;
  private final char[] password;

  private RedisStoreConfig(Builder b) {
    nodes = List.copyOf(b.nodes);
    keyPrefix = b.keyPrefix;
    waitReplicas = b.waitReplicas;
    waitTimeout = b.waitTimeout;
    commandTimeout = b.commandTimeout;
    expiryBucket = b.expiryBucket;
    username = b.username;
    password = b.password == null ? null : b.password.clone();
  }

  /** A builder with the defaults: prefix {@code bc}, no WAIT, 10 s commands, 1 min buckets. */
  public static Builder builder() {
    return new Builder();
  }

  /** Seed nodes as {@code host:port}; the rest of the cluster is discovered from them. */
  public List<String> nodes() {
    return nodes;
  }

  /** The namespace every key and channel starts with. */
  public String keyPrefix() {
    return keyPrefix;
  }

  /** Replicas each write waits for with {@code WAIT} (0: none). */
  public int waitReplicas() {
    return waitReplicas;
  }

  /** How long a {@code WAIT} may take before the write fails as not replicated. */
  public Duration waitTimeout() {
    return waitTimeout;
  }

  /** How long one command may take. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /** The width of one bucket of the expiry index. */
  public Duration expiryBucket() {
    return expiryBucket;
  }

  /** The ACL user name, or null. */
  public String username() {
    return username;
  }

  /** The password (a copy), or null. Package-private: only the store reads it. */
  char[] password() {
    return password == null ? null : password.clone();
  }

  @Override
  public String toString() {
    return "RedisStoreConfig[nodes=" + nodes + ", keyPrefix=" + keyPrefix + ", waitReplicas="
        + waitReplicas + ", waitTimeout=" + waitTimeout + ", commandTimeout=" + commandTimeout
        + ", expiryBucket=" + expiryBucket + (password != null ? ", password=redacted" : "") + "]";
  }

  /** Builds a {@link RedisStoreConfig}. Not thread-safe. */
  public static final class Builder {
    private final List<String> nodes = new ArrayList<>();
    private String keyPrefix = "bc";
    private int waitReplicas;
    private Duration waitTimeout = Duration.ofSeconds(1);
    private Duration commandTimeout = Duration.ofSeconds(10);
    private Duration expiryBucket = Duration.ofMinutes(1);
    private String username;
    private char[] password;

    private Builder() {}

    /**
     * Adds a seed node.
     *
     * @throws IllegalArgumentException unless it is {@code host:port} with a port in 1..65535
     */
    public Builder node(String hostAndPort) {
      Objects.requireNonNull(hostAndPort, "node");
      int colon = hostAndPort.lastIndexOf(':');
      int port;
      try {
        port = colon > 0 ? Integer.parseInt(hostAndPort.substring(colon + 1)) : -1;
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("node must be host:port with port 1..65535: " + hostAndPort);
      }
      nodes.add(hostAndPort);
      return this;
    }

    /**
     * Sets the namespace (default {@code bc}); relays sharing one store use the same one.
     *
     * @throws IllegalArgumentException unless it matches {@code [A-Za-z0-9_.-]{1,32}}
     */
    public Builder keyPrefix(String prefix) {
      if (prefix == null || !RedisKeys.PREFIX.matcher(prefix).matches()) {
        throw new IllegalArgumentException("key prefix must match " + RedisKeys.PREFIX.pattern());
      }
      keyPrefix = prefix;
      return this;
    }

    /**
     * Sets how many replicas each write waits for (default 0).
     *
     * @throws IllegalArgumentException unless 0..16
     */
    public Builder waitReplicas(int n) {
      if (n < 0 || n > 16) {
        throw new IllegalArgumentException("waitReplicas must be 0..16: " + n);
      }
      waitReplicas = n;
      return this;
    }

    /**
     * Sets how long a WAIT may take (default 1 s).
     *
     * @throws IllegalArgumentException unless 1 ms..1 min
     */
    public Builder waitTimeout(Duration d) {
      waitTimeout = range(d, Duration.ofMillis(1), Duration.ofMinutes(1), "waitTimeout");
      return this;
    }

    /**
     * Sets how long one command may take (default 10 s).
     *
     * @throws IllegalArgumentException unless 10 ms..5 min
     */
    public Builder commandTimeout(Duration d) {
      commandTimeout = range(d, Duration.ofMillis(10), Duration.ofMinutes(5), "commandTimeout");
      return this;
    }

    /**
     * Sets the width of an expiry bucket (default 1 min).
     *
     * @throws IllegalArgumentException unless 1 s..1 day
     */
    public Builder expiryBucket(Duration d) {
      expiryBucket = range(d, Duration.ofSeconds(1), Duration.ofDays(1), "expiryBucket");
      return this;
    }

    /** Sets the ACL user and password (copied; the caller may clear its array). */
    public Builder credentials(String user, char[] pass) {
      username = user;
      password = pass == null ? null : Arrays.copyOf(pass, pass.length);
      return this;
    }

    private static Duration range(Duration d, Duration min, Duration max, String what) {
      if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(what + " must be " + min + ".." + max + ": " + d);
      }
      return d;
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalStateException if no node was given
     */
    public RedisStoreConfig build() {
      if (nodes.isEmpty()) {
        throw new IllegalStateException("at least one cluster node is needed");
      }
      return new RedisStoreConfig(this);
    }
  }
}
