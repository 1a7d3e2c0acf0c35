package dev.backchannel.netty.client;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.UndeliverableException;
import dev.backchannel.api.error.UntrustedRelayException;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.internal.wire.Frame;
import io.netty.channel.EventLoopGroup;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A client's link to one relay.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>It talks only to the relay whose key matches the pin in its {@link RelayAddress}; another
 *       key fails the TLS handshake before anything is sent, and every request then fails with
 *       {@link UntrustedRelayException} (the link does not retry).
 *   <li>A {@link #send} completes only when the relay has made the envelope durable. Until then
 *       the envelope stays in the {@link Outbox} and is sent again after every reconnect; the
 *       relay stores a retried message id once.
 *   <li>It reconnects on its own with exponential backoff and jitter, and subscribes again to
 *       every mailbox it was subscribed to. Deliveries are at least once.
 *   <li>An address with several endpoints (the nodes of one relay cluster, which share one key)
 *       is tried in order: the link starts with the first and moves to the next after a failed
 *       connection attempt or a dropped connection, with the same backoff, wrapping round. The
 *       pin is checked on every endpoint; the outbox, the subscriptions and the dedupe by
 *       message id carry over from one node to the next as across any reconnect.
 *   <li>Listeners and futures complete on the callback executor, never on a Netty event loop.
 * </ul>
 *
 * <p>Requests other than sends that are in flight when the connection drops fail with
 * {@link RelayUnavailableException}; requests made while disconnected wait for the connection up
 * to the request timeout. Thread-safe. {@link #close()} is idempotent.
 *
 * @since 0.1
 */
public final class RelayLink implements AutoCloseable {
  /** Most requests queued while disconnected. */
  public static final int MAX_QUEUED_REQUESTS = 10_000;

  // One part per job, state confined to the connection's loop; calls go down to the connection,
  // which reports back only through LinkLifecycle.
  private final RelayAddress address;
  private final LinkConnection connection;
  private final Replies replies;
  private final RelayCommands commands;
  private final RequestTracker requests;
  private final SenderAuthorization authorization;
  private final Subscriptions subscriptions;
  private final ReliableSender sender;

  private RelayLink(Builder b) throws UntrustedRelayException {
    this.address = b.address;
    this.commands = new RelayCommands(b.admissionSecret == null ? null : b.admissionSecret.copy());
    this.connection = new LinkConnection(b.address, b.minBackoff, b.maxBackoff, b.maxFrameBytes, b.eventLoops);
    this.replies = new Replies(b.callbacks);
    this.requests = new RequestTracker(connection, b.requestTimeout);
    this.authorization = new SenderAuthorization(connection, requests, commands);
    this.subscriptions = new Subscriptions(connection, requests, commands,
        b.deliveries != null ? b.deliveries : b.callbacks);
    this.sender = new ReliableSender(connection, requests, commands, authorization, b.outbox, b.callbacks,
        new ReliableSender.Retries(b.minBackoff, b.maxBackoff, b.retryRefusedSends));
  }

  /** A builder for a link to {@code address}. */
  public static Builder builder(RelayAddress address) {
    return new Builder(address);
  }

  /** The relay's address. */
  public RelayAddress address() {
    return address;
  }

  /**
   * The endpoint of the address the link is connected to now, or the one it tries next while
   * disconnected (for operators and tests).
   *
   * @since 0.2
   */
  public RelayAddress.Endpoint currentEndpoint() {
    return connection.currentEndpoint();
  }

  /**
   * Creates a mailbox owned by the Ed25519 key {@code ownerKey} (per mailbox, never an identity
   * key). Fails with {@link RelayRejectedException} ({@code MAILBOX_EXISTS}) if it exists.
   */
  public CompletableFuture<Void> createMailbox(byte[] mailboxId, SecretBytes ownerKey) {
    checkId(mailboxId, 32, "mailbox id");
    return answered(commands.createMailbox(mailboxId, ownerKey));
  }

  /**
   * Subscribes to a mailbox: every envelope stored there (now and later) is passed to {@code
   * listener} on the delivery executor (by default the callback executor), in order, until
   * acknowledged with {@link #ack}. The link
   * subscribes again after every reconnect.
   */
  public CompletableFuture<Void> subscribe(byte[] mailboxId, SecretBytes ownerKey, Consumer<Delivery> listener) {
    checkId(mailboxId, 32, "mailbox id");
    Objects.requireNonNull(listener, "listener");
    return replies.of(subscriptions.subscribe(mailboxId, ownerKey, listener), x -> null);
  }

  /**
   * Uses {@code senderKey} to sign sends to {@code mailboxId}, which its owner locked to that
   * key's public half.
   */
  public void useSenderKey(byte[] mailboxId, SecretBytes senderKey) {
    checkId(mailboxId, 32, "mailbox id");
    authorization.use(mailboxId, senderKey);
  }

  /** Whether this connection has proven the sender key for {@code mailboxId} (tests and diagnostics). */
  CompletableFuture<Boolean> senderAuthorized(byte[] mailboxId) {
    return authorization.authorized(mailboxId);
  }

  /**
   * Sends an envelope body. It goes to the outbox first and stays there until the relay has made
   * it durable; the future completes then. A retryable refusal (mailbox full, rate limited,
   * storage unavailable) keeps it in the outbox and sends it again in the background with capped
   * exponential backoff (and after every reconnect); a permanent one removes it and fails the
   * future. If the outbox already holds the entry (the caller stored it), it is not stored again.
   *
   * @param messageId 16 bytes, unique per message; retries reuse it
   */
  public CompletableFuture<Void> send(byte[] mailboxId, byte[] messageId, byte[] body) {
    checkId(mailboxId, 32, "mailbox id");
    checkId(messageId, 16, "message id");
    return sender.send(mailboxId, messageId, body);
  }

  /**
   * Gives up an envelope that has not reached the relay. Completes with {@code true} once it is
   * certain the relay never stored it (it was not on the wire, or the relay's next answer to it is
   * a refusal): it is then removed from the outbox and its send future fails with
   * {@link UndeliverableException}. Completes with {@code false} if the relay stored it after all.
   * An unknown id completes with {@code false}.
   */
  public CompletableFuture<Boolean> cancel(byte[] messageId) {
    checkId(messageId, 16, "message id");
    return sender.cancel(messageId);
  }

  /**
   * Acknowledges delivered envelopes of one mailbox: the relay deletes them. They go out batched
   * (up to 256 per frame), and only once this connection's subscription to the mailbox is
   * confirmed, so none is refused after a reconnect. Failures are logged: an envelope not
   * acknowledged is delivered again and dropped by the receiver as a duplicate.
   */
  public void acknowledge(byte[] mailboxId, List<byte[]> messageIds) {
    checkId(mailboxId, 32, "mailbox id");
    List<byte[]> ids = new ArrayList<>(messageIds.size());
    for (byte[] m : messageIds) {
      checkId(m, 16, "message id");
      ids.add(m.clone());
    }
    subscriptions.acknowledge(ByteBuffer.wrap(mailboxId.clone()), ids);
  }

  /**
   * Stops reading from the relay (deliveries and replies wait in the relay and in TCP) until
   * {@link #resumeReading()}: the receiver's backpressure. Also holds across reconnects.
   */
  public void pauseReading() {
    connection.reading(false);
  }

  /** Reads from the relay again after {@link #pauseReading()}. */
  public void resumeReading() {
    connection.reading(true);
  }

  /** Acknowledges one delivered envelope at once and reports the relay's answer: the relay deletes it. */
  public CompletableFuture<Void> ack(byte[] mailboxId, byte[] messageId) {
    checkId(mailboxId, 32, "mailbox id");
    checkId(messageId, 16, "message id");
    return answered(commands.ack(mailboxId, messageId));
  }

  /** Locks a mailbox owned by {@code ownerKey} to one sender's Ed25519 public key. */
  public CompletableFuture<Void> lock(byte[] mailboxId, SecretBytes ownerKey, byte[] senderPublicKey) {
    checkId(mailboxId, 32, "mailbox id");
    checkId(senderPublicKey, 32, "sender key");
    return answered(commands.lock(mailboxId, ownerKey, senderPublicKey));
  }

  /** Deletes a mailbox owned by {@code ownerKey} and everything in it. */
  public CompletableFuture<Void> deleteMailbox(byte[] mailboxId, SecretBytes ownerKey) {
    checkId(mailboxId, 32, "mailbox id");
    Function<byte[], Frame.Builder> command = commands.deleteMailbox(mailboxId, ownerKey);
    subscriptions.forget(mailboxId);
    return answered(command);
  }

  /** Stores a sealed invitation bundle under a 32-byte id until {@code expiresAt}. */
  public CompletableFuture<Void> putInvitation(byte[] invitationId, byte[] bundle, Instant expiresAt) {
    checkId(invitationId, 32, "invitation id");
    return answered(commands.putInvitation(invitationId, bundle, expiresAt));
  }

  /** Fetches a sealed invitation bundle; fails with {@code NO_SUCH_MAILBOX} if there is none. */
  public CompletableFuture<byte[]> fetchInvitation(byte[] invitationId) {
    checkId(invitationId, 32, "invitation id");
    return replies.of(requests.request(commands.fetchInvitation(invitationId)),
        f -> f.getInvitationBundle().getBundle().toByteArray());
  }

  /** A round trip to the relay. */
  public CompletableFuture<Void> ping() {
    return answered(commands.ping());
  }

  /**
   * Waits for the first connection to be ready.
   *
   * @throws UntrustedRelayException if the relay's key does not match the address
   * @throws RelayUnavailableException if not connected within {@code timeout}
   */
  public void awaitConnected(Duration timeout) throws UntrustedRelayException, RelayUnavailableException {
    connection.awaitConnected(timeout);
  }

  /** Whether the link is connected and ready now. */
  public boolean isConnected() {
    return connection.isConnected();
  }

  /** Closes the connection for a moment, as a network failure would (for tests and operators). */
  public void disconnect() {
    connection.disconnect();
  }

  /** Closes the link: pending requests fail; outbox entries stay in the outbox. Idempotent. */
  @Override
  public void close() {
    connection.close();
  }

  @Override
  public String toString() {
    return "RelayLink[" + address + "]";
  }

  /** Sends a request whose answer carries no value; completes on the callback executor. */
  private CompletableFuture<Void> answered(Function<byte[], Frame.Builder> command) {
    return replies.of(requests.request(command), f -> null);
  }

  private static void checkId(byte[] id, int length, String what) {
    if (id == null || id.length != length) {
      throw new IllegalArgumentException(what + " must be " + length + " bytes");
    }
  }

  /** Builder of {@link RelayLink}. Not thread-safe. */
  public static final class Builder {
    private final RelayAddress address;
    private Executor callbacks = ForkJoinPool.commonPool();
    private Executor deliveries;
    private Outbox outbox = new InMemoryOutbox();
    private Duration minBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private int maxFrameBytes = 72 * 1024;
    private boolean retryRefusedSends = true;
    private SecretBytes admissionSecret;
    private EventLoopGroup eventLoops;

    private Builder(RelayAddress address) {
      this.address = Objects.requireNonNull(address, "address");
    }

    /**
     * Where futures complete, and delivery listeners run unless {@link #deliveryExecutor} says
     * otherwise (default: the common fork-join pool).
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbacks = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Where delivery listeners run (default: the callback executor). {@code Runnable::run} runs
     * them on the link's I/O thread as each envelope is decoded, without a hand-off: only for a
     * listener that never blocks and returns quickly, since every frame of this link (and of the
     * links sharing its loops) waits for it.
     */
    public Builder deliveryExecutor(Executor executor) {
      this.deliveries = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Runs the link on one of {@code loops}, shared with other links (default: a thread of its own). */
    public Builder loops(LinkLoops loops) {
      if (Objects.requireNonNull(loops, "loops").isClosed()) {
        throw new IllegalArgumentException("these link loops are closed");
      }
      this.eventLoops = loops.group();
      return this;
    }

    /** Where unacknowledged envelopes wait (default: in memory). */
    public Builder outbox(Outbox outbox) {
      this.outbox = Objects.requireNonNull(outbox, "outbox");
      return this;
    }

    /** Reconnect backoff: from {@code min} doubling to {@code max}, with jitter. */
    public Builder reconnectBackoff(Duration min, Duration max) {
      if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("backoff needs 0 < min <= max, got " + min + ", " + max);
      }
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /** How long a request other than a send waits for its answer (default 30 s). */
    public Builder requestTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("request timeout must be positive, got " + timeout);
      }
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Whether a send the relay refuses for a while (mailbox full, rate limited, storage
     * unavailable) is retried in the background until it passes (default), or fails its future at
     * once, staying in the outbox for the next reconnect (for tools and tests that want to see
     * each refusal).
     */
    public Builder retryRefusedSends(boolean retry) {
      this.retryRefusedSends = retry;
      return this;
    }

    /**
     * The relay's admission secret (16..64 bytes, copied): with it this link proves, on every
     * connection, its right to create mailboxes and invitations on a relay that requires one
     * (docs/PROTOCOL.md, "Admission"). The secret never leaves the process.
     *
     * @throws IllegalArgumentException for another length
     */
    public Builder admissionSecret(SecretBytes secret) {
      if (secret.length() < 16 || secret.length() > 64) {
        throw new IllegalArgumentException("an admission secret is 16..64 bytes, got " + secret.length());
      }
      this.admissionSecret = secret;
      return this;
    }

    /** Largest frame accepted from the relay, 1 KiB..16 MiB (default 72 KiB). */
    public Builder maxFrameBytes(int n) {
      if (n < 1024 || n > 16 << 20) {
        throw new IllegalArgumentException("maxFrameBytes must be 1024..16777216, got " + n);
      }
      this.maxFrameBytes = n;
      return this;
    }

    /**
     * Starts the link; it connects in the background ({@link RelayLink#awaitConnected}).
     *
     * @throws UntrustedRelayException if TLS cannot be set up
     */
    public RelayLink build() throws UntrustedRelayException {
      RelayLink link = new RelayLink(this);
      link.connection.start(new LinkLifecycle(link.requests, link.authorization, link.subscriptions,
          link.sender, link.commands));
      return link;
    }
  }
}
