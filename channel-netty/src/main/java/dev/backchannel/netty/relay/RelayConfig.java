package dev.backchannel.netty.relay;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.netty.relay.store.MailboxStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of a {@link RelayServer}: where it listens and stores, and every limit. Every
 * limit has a named default; setters refuse out-of-range values with a message that names the
 * value and the allowed range. Immutable; made with {@link #builder(Path)}.
 *
 * @since 0.1
 */
public final class RelayConfig {
  /** Default listening host: loopback. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default port. */
  public static final int DEFAULT_PORT = 7443;
  /** Default largest frame, length prefix excluded. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 72 * 1024;
  /** Default largest envelope body (the largest padding bucket). */
  public static final int DEFAULT_MAX_ENVELOPE_BYTES = 66_560;
  /** Default quota of envelopes per mailbox. */
  public static final long DEFAULT_MAX_ENVELOPES_PER_MAILBOX = 10_000;
  /** Default quota of body bytes per mailbox. */
  public static final long DEFAULT_MAX_BYTES_PER_MAILBOX = 64L * 1024 * 1024;
  /** Default most concurrent connections. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  /** Default sustained requests per second per connection (bursts of twice that). */
  public static final int DEFAULT_MAX_REQUESTS_PER_SECOND = 1_000;
  /** Default idle time after which a connection is closed. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
  /** Default time allowed for the TLS handshake. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  /** Default lifetime of an unacknowledged envelope. */
  public static final Duration DEFAULT_ENVELOPE_TTL = Duration.ofDays(14);
  /** Default largest sealed invitation bundle. */
  public static final int DEFAULT_MAX_INVITATION_BYTES = 16 * 1024;
  /** Default longest invitation lifetime. */
  public static final Duration DEFAULT_MAX_INVITATION_TTL = Duration.ofDays(30);
  /** Default most sends of one connection waiting for the store before reading pauses. */
  public static final int DEFAULT_MAX_PENDING_STORES = 64;

  private final String host;
  private final int port;
  private final Path dataDirectory;
  private final int maxFrameBytes;
  private final int maxEnvelopeBytes;
  private final long maxEnvelopesPerMailbox;
  private final long maxBytesPerMailbox;
  private final int maxConnections;
  private final int maxRequestsPerSecond;
  private final Duration idleTimeout;
  private final Duration handshakeTimeout;
  private final Duration envelopeTtl;
  private final int maxInvitationBytes;
  private final Duration maxInvitationTtl;
  private final int maxPendingStores;
  private final MailboxStore mailboxStore;
  private final RelayLimits limits;
  private final byte[] admissionSecret;
  private final Path keyFile;
  private final List<RelayAddress.Endpoint> advertised;

  private RelayConfig(Builder b) {
    host = b.host;
    port = b.port;
    dataDirectory = b.dataDirectory;
    maxFrameBytes = b.maxFrameBytes;
    maxEnvelopeBytes = b.maxEnvelopeBytes;
    maxEnvelopesPerMailbox = b.maxEnvelopesPerMailbox;
    maxBytesPerMailbox = b.maxBytesPerMailbox;
    maxConnections = b.maxConnections;
    maxRequestsPerSecond = b.maxRequestsPerSecond;
    idleTimeout = b.idleTimeout;
    handshakeTimeout = b.handshakeTimeout;
    envelopeTtl = b.envelopeTtl;
    maxInvitationBytes = b.maxInvitationBytes;
    maxInvitationTtl = b.maxInvitationTtl;
    maxPendingStores = b.maxPendingStores;
    mailboxStore = b.mailboxStore;
    limits = b.limits;
    admissionSecret = b.admissionSecret;
    keyFile = b.keyFile;
    advertised = b.advertised;
  }

  /** A builder with every default, storing in {@code dataDirectory}. */
  public static Builder builder(Path dataDirectory) {
    return new Builder(Objects.requireNonNull(dataDirectory, "dataDirectory"));
  }

  /** A builder preset with this configuration. */
  public Builder newBuilder() {
    Builder b = new Builder(dataDirectory);
    b.host = host;
    b.port = port;
    b.maxFrameBytes = maxFrameBytes;
    b.maxEnvelopeBytes = maxEnvelopeBytes;
    b.maxEnvelopesPerMailbox = maxEnvelopesPerMailbox;
    b.maxBytesPerMailbox = maxBytesPerMailbox;
    b.maxConnections = maxConnections;
    b.maxRequestsPerSecond = maxRequestsPerSecond;
    b.idleTimeout = idleTimeout;
    b.handshakeTimeout = handshakeTimeout;
    b.envelopeTtl = envelopeTtl;
    b.maxInvitationBytes = maxInvitationBytes;
    b.maxInvitationTtl = maxInvitationTtl;
    b.maxPendingStores = maxPendingStores;
    b.mailboxStore = mailboxStore;
    b.limits = limits;
    b.admissionSecret = admissionSecret;
    b.keyFile = keyFile;
    b.advertised = advertised;
    return b;
  }

  /** Listening host. */
  public String host() {
    return host;
  }

  /** Listening port; 0 takes a free one. */
  public int port() {
    return port;
  }

  /**
   * Where the relay keeps its key and certificate (unless {@link #keyFile()} is set) and its
   * embedded store (unless {@link #mailboxStore()} is set).
   */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** The key file shared by the nodes of a relay cluster, or null for the data directory's key. */
  public Path keyFile() {
    return keyFile;
  }

  /** The endpoints the relay's address lists, or null for the listening host and port. */
  public List<RelayAddress.Endpoint> advertised() {
    return advertised;
  }

  /** Largest frame accepted. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** Largest envelope body accepted. */
  public int maxEnvelopeBytes() {
    return maxEnvelopeBytes;
  }

  /** Envelope quota per mailbox. */
  public long maxEnvelopesPerMailbox() {
    return maxEnvelopesPerMailbox;
  }

  /** Byte quota per mailbox. */
  public long maxBytesPerMailbox() {
    return maxBytesPerMailbox;
  }

  /** Most concurrent connections. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Sustained request rate per connection. */
  public int maxRequestsPerSecond() {
    return maxRequestsPerSecond;
  }

  /** Idle time before a connection is closed. */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** Time allowed for the TLS handshake. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** Lifetime of unacknowledged envelopes. */
  public Duration envelopeTtl() {
    return envelopeTtl;
  }

  /** Largest sealed invitation bundle. */
  public int maxInvitationBytes() {
    return maxInvitationBytes;
  }

  /** Longest invitation lifetime. */
  public Duration maxInvitationTtl() {
    return maxInvitationTtl;
  }

  /** Most pending stores per connection before it is read no more until they finish. */
  public int maxPendingStores() {
    return maxPendingStores;
  }

  /** The mailbox store to use, or null for the embedded RocksDB store in the data directory. */
  public MailboxStore mailboxStore() {
    return mailboxStore;
  }

  /** The defences against hostile clients, full disks and the relay's own limits. */
  public RelayLimits limits() {
    return limits;
  }

  /** Whether CreateMailbox and PutInvitation need the admission proof (docs/PROTOCOL.md, "Admission"). */
  public boolean admissionRequired() {
    return admissionSecret != null;
  }

  /** The admission secret (a copy), or null; package-private so it never leaves the relay. */
  byte[] admissionSecret() {
    return admissionSecret == null ? null : admissionSecret.clone();
  }

  /** Never shows the admission secret. */
  @Override
  public String toString() {
    return "RelayConfig[" + host + ":" + port + (admissionSecret != null ? ", admission required" : "") + "]";
  }

  /** Validating builder of {@link RelayConfig}. Not thread-safe. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private final Path dataDirectory;
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private int maxEnvelopeBytes = DEFAULT_MAX_ENVELOPE_BYTES;
    private long maxEnvelopesPerMailbox = DEFAULT_MAX_ENVELOPES_PER_MAILBOX;
    private long maxBytesPerMailbox = DEFAULT_MAX_BYTES_PER_MAILBOX;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private int maxRequestsPerSecond = DEFAULT_MAX_REQUESTS_PER_SECOND;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration envelopeTtl = DEFAULT_ENVELOPE_TTL;
    private int maxInvitationBytes = DEFAULT_MAX_INVITATION_BYTES;
    private Duration maxInvitationTtl = DEFAULT_MAX_INVITATION_TTL;
    private int maxPendingStores = DEFAULT_MAX_PENDING_STORES;
    private MailboxStore mailboxStore;
    private RelayLimits limits = RelayLimits.defaults();
    private byte[] admissionSecret;
    private Path keyFile;
    private List<RelayAddress.Endpoint> advertised;

    private Builder(Path dataDirectory) {
      this.dataDirectory = dataDirectory;
    }

    private static long range(String name, long v, long min, long max) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + v);
      }
      return v;
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }

    /** Listening host (default loopback). */
    public Builder host(String host) {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host must not be empty");
      }
      this.host = host;
      return this;
    }

    /** Listening port, 0..65535 (0 takes a free port). */
    public Builder port(int port) {
      this.port = (int) range("port", port, 0, 65535);
      return this;
    }

    /** Largest frame, 1 KiB..16 MiB. */
    public Builder maxFrameBytes(int n) {
      this.maxFrameBytes = (int) range("maxFrameBytes", n, 1024, 16 << 20);
      return this;
    }

    /** Largest envelope body, 256 B..16 MiB. */
    public Builder maxEnvelopeBytes(int n) {
      this.maxEnvelopeBytes = (int) range("maxEnvelopeBytes", n, 256, 16 << 20);
      return this;
    }

    /** Envelope quota per mailbox, 1..10^9. */
    public Builder maxEnvelopesPerMailbox(long n) {
      this.maxEnvelopesPerMailbox = range("maxEnvelopesPerMailbox", n, 1, 1_000_000_000);
      return this;
    }

    /** Byte quota per mailbox, 1 KiB..1 TiB. */
    public Builder maxBytesPerMailbox(long n) {
      this.maxBytesPerMailbox = range("maxBytesPerMailbox", n, 1024, 1L << 40);
      return this;
    }

    /** Most concurrent connections, 1..1,000,000. */
    public Builder maxConnections(int n) {
      this.maxConnections = (int) range("maxConnections", n, 1, 1_000_000);
      return this;
    }

    /** Sustained requests per second per connection, 1..1,000,000. */
    public Builder maxRequestsPerSecond(int n) {
      this.maxRequestsPerSecond = (int) range("maxRequestsPerSecond", n, 1, 1_000_000);
      return this;
    }

    /** Idle time before a connection is closed (positive). */
    public Builder idleTimeout(Duration d) {
      this.idleTimeout = positive("idleTimeout", d);
      return this;
    }

    /** Time allowed for the TLS handshake (positive). */
    public Builder handshakeTimeout(Duration d) {
      this.handshakeTimeout = positive("handshakeTimeout", d);
      return this;
    }

    /** Lifetime of unacknowledged envelopes (positive). */
    public Builder envelopeTtl(Duration d) {
      this.envelopeTtl = positive("envelopeTtl", d);
      return this;
    }

    /** Largest sealed invitation bundle, 256 B..1 MiB. */
    public Builder maxInvitationBytes(int n) {
      this.maxInvitationBytes = (int) range("maxInvitationBytes", n, 256, 1 << 20);
      return this;
    }

    /** Longest invitation lifetime (positive). */
    public Builder maxInvitationTtl(Duration d) {
      this.maxInvitationTtl = positive("maxInvitationTtl", d);
      return this;
    }

    /** Most pending stores per connection, 1..10,000. */
    public Builder maxPendingStores(int n) {
      this.maxPendingStores = (int) range("maxPendingStores", n, 1, 10_000);
      return this;
    }

    /** A mailbox store to use instead of the embedded one; the relay closes it on shutdown. */
    public Builder mailboxStore(MailboxStore store) {
      this.mailboxStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The defences against hostile clients, full disks and the relay's own limits. */
    public Builder limits(RelayLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Requires the admission proof for CreateMailbox and PutInvitation (like smp-server's
     * create_password): a secret of 16..64 bytes shared out of band with the clients allowed to
     * create. Everyone else may only send to existing mailboxes (and fetch invitations). The array
     * is copied; never logged.
     */
    public Builder admissionSecret(byte[] secret) {
      Objects.requireNonNull(secret, "secret");
      range("admissionSecret length", secret.length, 16, 64);
      this.admissionSecret = secret.clone();
      return this;
    }

    /**
     * Keeps the relay's key and certificate in one file instead of the data directory, created
     * with a new key ({@code rw-------}) when missing: the first node of a relay cluster makes it
     * and the others are given a copy, so every node has the same pin.
     */
    public Builder keyFile(Path file) {
      this.keyFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * The endpoints the relay's {@link RelayServer#address()} lists, in the order clients try
     * them (default: the listening host and port): every node of a cluster advertises the same
     * list, and a node that listens on a wildcard address must say how clients reach it.
     *
     * @throws IllegalArgumentException unless 1..{@value RelayAddress#MAX_ENDPOINTS} distinct endpoints
     */
    public Builder advertise(List<RelayAddress.Endpoint> endpoints) {
      Objects.requireNonNull(endpoints, "endpoints");
      // The rules of an address (count, duplicates, length), checked with a stand-in key hash.
      new RelayAddress("A".repeat(RelayAddress.KEY_HASH_CHARS), endpoints);
      this.advertised = List.copyOf(endpoints);
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException if the frame limit cannot carry the largest envelope
     */
    public RelayConfig build() {
      if (maxFrameBytes < maxEnvelopeBytes + 256) {
        throw new IllegalArgumentException(
            "maxFrameBytes (" + maxFrameBytes + ") must exceed maxEnvelopeBytes ("
                + maxEnvelopeBytes + ") by at least 256");
      }
      return new RelayConfig(this);
    }
  }
}
