package dev.backchannel.netty.client;

import com.google.protobuf.ByteString;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.error.UndeliverableException;
import dev.backchannel.api.error.UntrustedRelayException;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.internal.auth.AdmissionProof;
import dev.backchannel.netty.internal.auth.CommandAuth;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.tls.PinningTrustManager;
import dev.backchannel.netty.internal.tls.RelayKeyMaterial;
import dev.backchannel.netty.internal.wire.Ack;
import dev.backchannel.netty.internal.wire.AuthorizeSender;
import dev.backchannel.netty.internal.wire.CreateMailbox;
import dev.backchannel.netty.internal.wire.DeleteMailbox;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.FetchInvitation;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.LockMailbox;
import dev.backchannel.netty.internal.wire.Ping;
import dev.backchannel.netty.internal.wire.PutInvitation;
import dev.backchannel.netty.internal.wire.Send;
import dev.backchannel.netty.internal.wire.Subscribe;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(RelayLink.class);
  /** Most requests queued while disconnected. */
  public static final int MAX_QUEUED_REQUESTS = 10_000;

  private final RelayAddress address;
  private final EndpointCycle endpoints;
  private final Executor callbacks;
  private final Outbox outbox;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final Duration requestTimeout;
  private final int maxFrameBytes;
  private final boolean retryRefusedSends;
  private static final dev.backchannel.crypto.InsecureSecretAccess ADMISSION_ACCESS =
      dev.backchannel.crypto.InsecureSecretAccess.get();
  /** The relay's admission secret, or null: proves, per connection, the right to create. */
  private final SecretBytes admissionSecret;
  private final PinningTrustManager trust;
  private final SslContext ssl;
  private final MultiThreadIoEventLoopGroup group;
  private final EventLoop loop;
  private final CompletableFuture<Void> firstConnection = new CompletableFuture<>();

  // State below is touched on `loop` only.
  private Channel channel;
  private byte[] challenge;
  private long nextRequestId = 1;
  private int attempt;
  private boolean closed;
  private BackchannelException fatal;
  private final Map<Long, Pending> inFlight = new HashMap<>();
  private final Queue<Pending> waiting = new ArrayDeque<>();
  private final Map<ByteBuffer, SubscriptionState> subscriptions = new LinkedHashMap<>();
  private final Map<ByteBuffer, SecretBytes> senderKeys = new HashMap<>();
  /** Mailboxes whose sender key this connection has proven (AuthorizeSender); loop-confined. */
  private final java.util.Set<ByteBuffer> authorizedHere = new java.util.HashSet<>();
  /** Refused AuthorizeSender attempts per mailbox on this connection (loop only). */
  private final Map<ByteBuffer, Integer> authorizeAttempts = new HashMap<>();
  private static final long AUTHORIZE_RETRY_MIN_MILLIS = 100;
  private static final long AUTHORIZE_RETRY_MAX_MILLIS = 30_000;
  /** Counts connections, so a late reply cannot authorize a newer one; loop-confined. */
  private long connectionEpoch;
  private final Map<ByteBuffer, CompletableFuture<Void>> sendFutures = new HashMap<>();
  /** Sends on the wire on this connection, awaiting the relay's answer; loop-confined. */
  private final java.util.Set<ByteBuffer> sendsInFlight = new java.util.HashSet<>();
  /** Sends the relay refused for a while, held in order per mailbox; loop-confined. */
  private final HeldSends held = new HeldSends();
  /** Sends to give up once the relay's next definite answer is a refusal; loop-confined. */
  private final Map<ByteBuffer, CompletableFuture<Boolean>> cancels = new HashMap<>();
  private final AckBatcher acks = new AckBatcher();
  private boolean readPaused;

  /** A request: builds its frame once the connection's challenge is known. */
  private static final class Pending {
    final Function<byte[], Frame.Builder> frame;
    final CompletableFuture<Frame> reply = new CompletableFuture<>();
    final boolean isSend;

    Pending(Function<byte[], Frame.Builder> frame, boolean isSend) {
      this.frame = frame;
      this.isSend = isSend;
    }
  }

  private record SubscriptionState(byte[] mailboxId, SecretBytes ownerKey, Consumer<Delivery> listener) {}

  private RelayLink(Builder b) throws UntrustedRelayException {
    this.address = b.address;
    this.endpoints = new EndpointCycle(b.address);
    this.callbacks = b.callbacks;
    this.outbox = b.outbox;
    this.minBackoff = b.minBackoff;
    this.maxBackoff = b.maxBackoff;
    this.requestTimeout = b.requestTimeout;
    this.maxFrameBytes = b.maxFrameBytes;
    this.retryRefusedSends = b.retryRefusedSends;
    this.admissionSecret = b.admissionSecret == null ? null : b.admissionSecret.copy();
    this.trust = new PinningTrustManager(address.keySha256());
    try {
      this.ssl = RelayKeyMaterial.clientContext(trust);
    } catch (javax.net.ssl.SSLException e) {
      throw new UntrustedRelayException("cannot set up TLS: " + e.getMessage());
    }
    this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    this.loop = group.next();
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
    return endpoints.current();
  }

  // ------------------------------------------------------------------ connection

  private void connect() {
    if (closed || fatal != null) {
      return;
    }
    RelayAddress.Endpoint target = endpoints.current();
    new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            SslHandler tls = ssl.newHandler(ch.alloc(), target.host(), target.port());
            tls.setHandshakeTimeoutMillis(10_000);
            ch.pipeline().addLast("tls", tls);
            ch.pipeline().addLast("flushes", new FlushConsolidationHandler(256, true));
            Frames.addCodec(ch.pipeline(), maxFrameBytes);
            ch.pipeline().addLast("link", new LinkHandler());
          }
        })
        .connect(target.host(), target.port())
        .addListener(f -> {
          if (!f.isSuccess()) {
            LOG.debug("connecting to the relay at {} failed: {}", target, f.cause().toString());
            nextEndpoint();
            scheduleReconnect();
          }
        });
  }

  /** After a failure of the current endpoint: the next attempt goes to the next one. */
  private void nextEndpoint() {
    if (endpoints.size() > 1) {
      RelayAddress.Endpoint from = endpoints.current();
      LOG.debug("relay endpoint {} failed; trying {} next", from, endpoints.advance());
    }
  }

  private void untrusted() {
    fail(new UntrustedRelayException(
        "the relay at " + endpoints.current() + " presented a key that does not match its address;"
            + " nothing was sent"));
  }

  private void scheduleReconnect() {
    if (closed || fatal != null) {
      return;
    }
    long base = Math.min(maxBackoff.toMillis(), minBackoff.toMillis() << Math.min(attempt, 20));
    long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    attempt++;
    loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  private final class LinkHandler extends SimpleChannelInboundHandler<Frame> {
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (channel == ctx.channel()) {
        channel = null;
        challenge = null;
        authorizedHere.clear();
        authorizeAttempts.clear();
        sendsInFlight.clear();
        held.clear();
        acks.connectionLost();
        connectionEpoch++;
        failInFlight();
        if (trust.mismatchSeen()) {
          untrusted();
        } else {
          nextEndpoint();
          scheduleReconnect();
        }
      } else if (trust.mismatchSeen() && fatal == null) {
        untrusted();
      } else if (channel == null && challenge == null) {
        scheduleReconnect();
      }
      super.channelInactive(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      channel = ctx.channel();
      channel.config().setAutoRead(!readPaused);
      super.channelActive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("relay link error: {}", cause.toString());
      ctx.close();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
      switch (frame.getBodyCase()) {
        case HELLO -> ready(frame.getHello().getChallenge().toByteArray());
        case DELIVER -> deliver(frame);
        default -> {
          Pending p = inFlight.remove(frame.getRequestId());
          if (p != null) {
            p.reply.complete(frame);
          }
        }
      }
    }
  }

  private void ready(byte[] newChallenge) {
    challenge = newChallenge;
    attempt = 0;
    firstConnection.complete(null);
    senderKeys.forEach(this::authorizeSender);
    for (SubscriptionState s : subscriptions.values()) {
      long epoch = connectionEpoch;
      request(c -> subscribeFrame(c, s), false).whenComplete((r, e) -> {
        if (e != null) {
          LOG.warn("re-subscribing after reconnect failed: {}", e.toString());
        } else if (!r.hasError()) {
          loop.execute(() -> subscriptionConfirmed(s, epoch));
        }
      });
    }
    try {
      for (Outbox.Entry e : outbox.pending()) {
        if (!sendsInFlight.contains(ByteBuffer.wrap(e.messageId()))) {
          transmit(e);
        }
      }
    } catch (StateStoreException e) {
      LOG.warn("reading the outbox failed: {}", e.toString());
    }
    while (!waiting.isEmpty() && channel != null) {
      write(waiting.poll());
    }
  }

  private void deliver(Frame frame) {
    var d = frame.getDeliver();
    SubscriptionState s = subscriptions.get(ByteBuffer.wrap(d.getMailboxId().toByteArray()));
    if (s == null) {
      return;
    }
    Delivery delivery = new Delivery(d.getMailboxId().toByteArray(), d.getMessageId().toByteArray(),
        d.getBody().toByteArray(), d.getSequence());
    callbacks.execute(() -> {
      try {
        s.listener().accept(delivery);
      } catch (RuntimeException e) {
        LOG.warn("a delivery listener threw: {}", e.toString());
      }
    });
  }

  private void failInFlight() {
    for (Pending p : inFlight.values()) {
      if (!p.isSend) {
        p.reply.completeExceptionally(new RelayUnavailableException("connection to the relay was lost"));
      }
    }
    inFlight.clear();
  }

  private void fail(BackchannelException e) {
    fatal = e;
    firstConnection.completeExceptionally(e);
    for (Pending p : waiting) {
      p.reply.completeExceptionally(e);
    }
    waiting.clear();
    for (CompletableFuture<Void> f : sendFutures.values()) {
      f.completeExceptionally(e);
    }
    sendFutures.clear();
  }

  // ------------------------------------------------------------------ requests

  /** Sends a request (on the loop), or queues it until connected. */
  private CompletableFuture<Frame> request(Function<byte[], Frame.Builder> frame, boolean isSend) {
    Pending p = new Pending(frame, isSend);
    loop.execute(() -> {
      if (closed) {
        p.reply.completeExceptionally(new RelayUnavailableException("relay link is closed"));
      } else if (fatal != null) {
        p.reply.completeExceptionally(fatal);
      } else if (challenge != null && channel != null) {
        write(p);
      } else if (waiting.size() >= MAX_QUEUED_REQUESTS) {
        p.reply.completeExceptionally(new RelayUnavailableException("too many requests waiting for the relay"));
      } else {
        waiting.add(p);
      }
    });
    loop.schedule(() -> {
      if (!p.reply.isDone() && !p.isSend) {
        waiting.remove(p);
        inFlight.values().remove(p);
        p.reply.completeExceptionally(new RelayUnavailableException(
            "no answer from the relay within " + requestTimeout.toSeconds() + " s"));
      }
    }, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    return p.reply;
  }

  private void write(Pending p) {
    long id = nextRequestId++;
    inFlight.put(id, p);
    channel.writeAndFlush(p.frame.apply(challenge).setRequestId(id).build());
  }

  /** Maps a reply frame to success or a typed error. */
  private static BackchannelException error(Frame reply) {
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
  private <T> CompletableFuture<T> reply(CompletableFuture<Frame> f, Function<Frame, T> value) {
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

  private static byte[] sign(SecretBytes key, int command, byte[] challenge, byte[] mailboxId, byte[] extra) {
    return Ed25519.sign(key, CommandAuth.message(command, challenge, mailboxId, extra));
  }

  private static void checkId(byte[] id, int length, String what) {
    if (id == null || id.length != length) {
      throw new IllegalArgumentException(what + " must be " + length + " bytes");
    }
  }

  /**
   * Creates a mailbox owned by the Ed25519 key {@code ownerKey} (per mailbox, never an identity
   * key). Fails with {@link RelayRejectedException} ({@code MAILBOX_EXISTS}) if it exists.
   */
  public CompletableFuture<Void> createMailbox(byte[] mailboxId, SecretBytes ownerKey) {
    checkId(mailboxId, 32, "mailbox id");
    byte[] id = mailboxId.clone();
    byte[] pub = Ed25519.publicKey(ownerKey);
    SecretBytes key = ownerKey.copy();
    return reply(request(c -> Frame.newBuilder().setCreateMailbox(CreateMailbox.newBuilder()
        .setMailboxId(ByteString.copyFrom(id))
        .setOwnerKey(ByteString.copyFrom(pub))
        .setSignature(ByteString.copyFrom(sign(key, CommandAuth.CREATE, c, id, null)))
        .setAdmission(admission(c))), false), f -> null);
  }

  private Frame.Builder subscribeFrame(byte[] challenge, SubscriptionState s) {
    return Frame.newBuilder().setSubscribe(Subscribe.newBuilder()
        .setMailboxId(ByteString.copyFrom(s.mailboxId()))
        .setSignature(ByteString.copyFrom(
            sign(s.ownerKey(), CommandAuth.SUBSCRIBE, challenge, s.mailboxId(), null))));
  }

  /**
   * Subscribes to a mailbox: every envelope stored there (now and later) is passed to {@code
   * listener} on the callback executor, until acknowledged with {@link #ack}. The link
   * subscribes again after every reconnect.
   */
  public CompletableFuture<Void> subscribe(byte[] mailboxId, SecretBytes ownerKey, Consumer<Delivery> listener) {
    checkId(mailboxId, 32, "mailbox id");
    Objects.requireNonNull(listener, "listener");
    SubscriptionState s = new SubscriptionState(mailboxId.clone(), ownerKey.copy(), listener);
    ByteBuffer key = ByteBuffer.wrap(s.mailboxId());
    // Registered before the request goes out: the relay pushes stored envelopes right after its
    // Ok, possibly in the same read, and none of them may find the mailbox unknown.
    loop.execute(() -> subscriptions.put(key, s));
    CompletableFuture<Frame> f = new CompletableFuture<>();
    loop.execute(() -> {
      long epoch = connectionEpoch;
      request(c -> subscribeFrame(c, s), false).whenComplete((frame, err) -> {
        if (err != null || frame.hasError()) {
          loop.execute(() -> subscriptions.remove(key, s));
        } else {
          loop.execute(() -> subscriptionConfirmed(s, epoch));
        }
        if (err != null) {
          f.completeExceptionally(err);
        } else {
          f.complete(frame);
        }
      });
    });
    return reply(f, x -> null);
  }

  /**
   * The relay confirmed {@code s} on the connection of {@code epoch}: acknowledgements for it may go
   * out on that connection (on the loop).
   */
  private void subscriptionConfirmed(SubscriptionState s, long epoch) {
    ByteBuffer key = ByteBuffer.wrap(s.mailboxId());
    if (epoch == connectionEpoch && subscriptions.get(key) == s && challenge != null && channel != null) {
      acks.confirmed(key);
      flushAcks();
    }
  }

  /**
   * Uses {@code senderKey} to sign sends to {@code mailboxId}, which its owner locked to that
   * key's public half.
   */
  public void useSenderKey(byte[] mailboxId, SecretBytes senderKey) {
    checkId(mailboxId, 32, "mailbox id");
    SecretBytes copy = senderKey.copy();
    ByteBuffer id = ByteBuffer.wrap(mailboxId.clone());
    loop.execute(() -> {
      senderKeys.put(id, copy);
      if (challenge != null && channel != null) {
        authorizeSender(id, copy);
      }
    });
  }

  /**
   * Proves the sender key once on this connection (on the loop); until the relay confirms, sends
   * carry their own signatures.
   */
  private void authorizeSender(ByteBuffer mailbox, SecretBytes key) {
    byte[] id = new byte[32];
    mailbox.duplicate().get(id);
    long epoch = connectionEpoch;
    request(c -> {
      byte[] pub = Ed25519.publicKey(key);
      return Frame.newBuilder().setAuthorizeSender(AuthorizeSender.newBuilder()
          .setMailboxId(ByteString.copyFrom(id))
          .setSenderKey(ByteString.copyFrom(pub))
          .setSignature(ByteString.copyFrom(sign(key, CommandAuth.AUTHORIZE_SENDER, c, id, pub))));
    }, false).whenComplete((reply, err) -> loop.execute(() -> {
      if (epoch != connectionEpoch) {
        return; // the reconnect proves every key again
      }
      BackchannelException refusal = err == null ? error(reply) : null;
      if (err == null && refusal == null) {
        authorizedHere.add(mailbox);
        authorizeAttempts.remove(mailbox);
      } else if (refusal instanceof RelayRejectedException r && r.code() == RelayErrorCode.LOCKED) {
        // Not locked (to this key) yet: the owner locks it once our first message arrives. Until
        // then every send carries its own signature, so try again, with capped backoff.
        int attempt = authorizeAttempts.merge(mailbox, 1, Integer::sum);
        long delay = Math.min(AUTHORIZE_RETRY_MAX_MILLIS, AUTHORIZE_RETRY_MIN_MILLIS << Math.min(attempt - 1, 10));
        loop.schedule(() -> {
          if (epoch == connectionEpoch && channel != null && !closed && senderKeys.get(mailbox) == key
              && !key.isClosed() && !authorizedHere.contains(mailbox)) {
            authorizeSender(mailbox, key);
          }
        }, delay, TimeUnit.MILLISECONDS);
      }
    }));
  }

  /** Whether this connection has proven the sender key for {@code mailboxId} (tests and diagnostics). */
  CompletableFuture<Boolean> senderAuthorized(byte[] mailboxId) {
    ByteBuffer id = ByteBuffer.wrap(mailboxId.clone());
    CompletableFuture<Boolean> out = new CompletableFuture<>();
    loop.execute(() -> out.complete(authorizedHere.contains(id)));
    return out;
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
    Outbox.Entry entry = new Outbox.Entry(mailboxId, messageId, body);
    CompletableFuture<Void> out = new CompletableFuture<>();
    try {
      outbox.put(entry);
    } catch (StateStoreException e) {
      out.completeExceptionally(e);
      return out;
    }
    loop.execute(() -> {
      sendFutures.put(ByteBuffer.wrap(entry.messageId()), out);
      if (fatal != null) {
        out.completeExceptionally(fatal);
      } else if (challenge != null && channel != null) {
        transmit(entry);
      }
      // otherwise it goes out from the outbox when the connection is ready
    });
    CompletableFuture<Void> callbacksFuture = new CompletableFuture<>();
    out.whenComplete((v, e) -> callbacks.execute(() -> {
      if (e != null) {
        callbacksFuture.completeExceptionally(e);
      } else {
        callbacksFuture.complete(null);
      }
    }));
    return callbacksFuture;
  }

  /** Puts one outbox entry on the wire (on the loop, when connected). */
  private void transmit(Outbox.Entry e) {
    if (held.isHeld(ByteBuffer.wrap(e.mailboxId()))) {
      held.hold(e); // behind a refused send to the same mailbox: keeps the order
      return;
    }
    put(e);
  }

  /** Writes one send (on the loop, when connected). */
  private void put(Outbox.Entry e) {
    held.sent(e);
    byte[] id = e.mailboxId();
    byte[] mid = e.messageId();
    byte[] body = e.body();
    ByteBuffer key = ByteBuffer.wrap(mid);
    sendsInFlight.add(key);
    long epoch = connectionEpoch;
    SecretBytes senderKey = senderKeys.get(ByteBuffer.wrap(id));
    Pending p = new Pending(c -> {
      Send.Builder s = Send.newBuilder()
          .setMailboxId(ByteString.copyFrom(id))
          .setMessageId(ByteString.copyFrom(mid))
          .setBody(ByteString.copyFrom(body));
      if (senderKey != null && !senderKey.isClosed() && !authorizedHere.contains(ByteBuffer.wrap(id))) {
        s.setSenderKey(ByteString.copyFrom(Ed25519.publicKey(senderKey)))
            .setSenderSignature(ByteString.copyFrom(
                sign(senderKey, CommandAuth.SEND, c, id, CommandAuth.sendExtra(mid, body))));
      }
      return Frame.newBuilder().setSend(s);
    }, true);
    p.reply.whenComplete((frame, err) -> loop.execute(() -> sendAnswered(e, key, epoch, frame, err)));
    write(p);
  }

  /** Settles one send after the relay's answer or the connection's loss (on the loop). */
  private void sendAnswered(Outbox.Entry e, ByteBuffer key, long epoch, Frame frame, Throwable err) {
    if (epoch == connectionEpoch) {
      sendsInFlight.remove(key);
    }
    if (err != null || closed) {
      return; // connection lost: the entry stays in the outbox and goes out after the reconnect
    }
    BackchannelException refusal = error(frame);
    boolean permanent = refusal instanceof RelayRejectedException r && !r.code().retryable();
    CompletableFuture<Boolean> cancel = cancels.remove(key);
    ByteBuffer mailbox = ByteBuffer.wrap(e.mailboxId());
    if (refusal != null && !permanent && cancel == null && !retryRefusedSends) {
      // The old contract: the caller hears of the refusal; the entry stays for the next reconnect.
      CompletableFuture<Void> f = sendFutures.remove(key);
      if (f != null) {
        f.completeExceptionally(refusal);
      }
      return;
    }
    if (refusal != null && !permanent && cancel == null) {
      SendRetry retry = held.hold(e);
      if (retry != null) {
        loop.schedule(() -> retryHead(mailbox), retry.delayMillis(minBackoff, maxBackoff), TimeUnit.MILLISECONDS);
      }
      return;
    }
    held.forget(e);
    if (epoch == connectionEpoch && challenge != null && channel != null) {
      for (Outbox.Entry next : held.release(mailbox)) {
        put(next);
      }
    }
    try {
      outbox.remove(e.messageId());
    } catch (StateStoreException ex) {
      LOG.warn("removing a settled entry from the outbox failed: {}", ex.toString());
    }
    CompletableFuture<Void> f = sendFutures.remove(key);
    if (refusal == null) {
      if (f != null) {
        f.complete(null);
      }
      if (cancel != null) {
        callbacks.execute(() -> cancel.complete(false));
      }
    } else {
      if (f != null) {
        f.completeExceptionally(cancel != null
            ? new UndeliverableException("the send was given up before the relay took it", refusal) : refusal);
      }
      if (cancel != null) {
        callbacks.execute(() -> cancel.complete(true));
      }
    }
  }

  /** Sends the first held entry of {@code mailbox} again after its backoff. */
  private void retryHead(ByteBuffer mailbox) {
    if (closed || fatal != null || challenge == null || channel == null) {
      return; // the reconnect sends the outbox again
    }
    Outbox.Entry head = held.takeHead(mailbox);
    if (head != null) {
      put(head);
    }
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
    ByteBuffer key = ByteBuffer.wrap(messageId.clone());
    CompletableFuture<Boolean> out = new CompletableFuture<>();
    loop.execute(() -> {
      if (sendsInFlight.contains(key)) {
        cancels.put(key, out);
        return;
      }
      boolean known = held.holds(messageId) || sendFutures.containsKey(key);
      held.forget(messageId);
      try {
        known |= outbox.pending().stream().anyMatch(x -> java.util.Arrays.equals(x.messageId(), messageId));
        outbox.remove(messageId);
      } catch (StateStoreException ex) {
        LOG.warn("removing a cancelled entry from the outbox failed: {}", ex.toString());
      }
      CompletableFuture<Void> f = sendFutures.remove(key);
      if (f != null) {
        f.completeExceptionally(new UndeliverableException("the send was given up before the relay took it"));
      }
      boolean result = known;
      callbacks.execute(() -> out.complete(result));
    });
    return out;
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
    ByteBuffer key = ByteBuffer.wrap(mailboxId.clone());
    loop.execute(() -> {
      if (!subscriptions.containsKey(key)) {
        return;
      }
      acks.add(key, ids);
      flushAcks();
    });
  }

  /** Writes every acknowledgement that may go out now (on the loop). */
  private void flushAcks() {
    if (challenge == null || channel == null) {
      return;
    }
    for (AckBatcher.Batch b : acks.drain()) {
      Ack.Builder a = Ack.newBuilder().setMailboxId(ByteString.copyFrom(b.mailboxId()))
          .setMessageId(ByteString.copyFrom(b.messageIds().get(0)));
      for (int i = 1; i < b.messageIds().size(); i++) {
        a.addMoreMessageIds(ByteString.copyFrom(b.messageIds().get(i)));
      }
      Frame.Builder frame = Frame.newBuilder().setAck(a);
      request(c -> frame, false).whenComplete((r, e) -> {
        if (e != null || r.hasError()) {
          LOG.debug("acknowledging {} envelopes failed: {}", b.messageIds().size(),
              e != null ? e.toString() : r.getError().getReason());
        }
      });
    }
  }

  /**
   * Stops reading from the relay (deliveries and replies wait in the relay and in TCP) until
   * {@link #resumeReading()}: the receiver's backpressure. Also holds across reconnects.
   */
  public void pauseReading() {
    loop.execute(() -> {
      readPaused = true;
      if (channel != null) {
        channel.config().setAutoRead(false);
      }
    });
  }

  /** Reads from the relay again after {@link #pauseReading()}. */
  public void resumeReading() {
    loop.execute(() -> {
      readPaused = false;
      if (channel != null) {
        channel.config().setAutoRead(true);
      }
    });
  }

  /** Acknowledges one delivered envelope at once and reports the relay's answer: the relay deletes it. */
  public CompletableFuture<Void> ack(byte[] mailboxId, byte[] messageId) {
    checkId(mailboxId, 32, "mailbox id");
    checkId(messageId, 16, "message id");
    byte[] id = mailboxId.clone();
    byte[] mid = messageId.clone();
    // Authorised by this connection's subscription to the mailbox: no signature.
    return reply(request(c -> Frame.newBuilder().setAck(Ack.newBuilder()
        .setMailboxId(ByteString.copyFrom(id))
        .setMessageId(ByteString.copyFrom(mid))), false), f -> null);
  }

  /** Locks a mailbox owned by {@code ownerKey} to one sender's Ed25519 public key. */
  public CompletableFuture<Void> lock(byte[] mailboxId, SecretBytes ownerKey, byte[] senderPublicKey) {
    checkId(mailboxId, 32, "mailbox id");
    checkId(senderPublicKey, 32, "sender key");
    byte[] id = mailboxId.clone();
    byte[] sender = senderPublicKey.clone();
    SecretBytes key = ownerKey.copy();
    return reply(request(c -> Frame.newBuilder().setLockMailbox(LockMailbox.newBuilder()
        .setMailboxId(ByteString.copyFrom(id))
        .setSenderKey(ByteString.copyFrom(sender))
        .setSignature(ByteString.copyFrom(sign(key, CommandAuth.LOCK, c, id, sender)))), false), f -> null);
  }

  /** Deletes a mailbox owned by {@code ownerKey} and everything in it. */
  public CompletableFuture<Void> deleteMailbox(byte[] mailboxId, SecretBytes ownerKey) {
    checkId(mailboxId, 32, "mailbox id");
    byte[] id = mailboxId.clone();
    SecretBytes key = ownerKey.copy();
    loop.execute(() -> {
      subscriptions.remove(ByteBuffer.wrap(id));
      acks.forget(ByteBuffer.wrap(id));
    });
    return reply(request(c -> Frame.newBuilder().setDeleteMailbox(DeleteMailbox.newBuilder()
        .setMailboxId(ByteString.copyFrom(id))
        .setSignature(ByteString.copyFrom(sign(key, CommandAuth.DELETE, c, id, null)))), false), f -> null);
  }

  /** Stores a sealed invitation bundle under a 32-byte id until {@code expiresAt}. */
  public CompletableFuture<Void> putInvitation(byte[] invitationId, byte[] bundle, Instant expiresAt) {
    checkId(invitationId, 32, "invitation id");
    byte[] id = invitationId.clone();
    byte[] b = bundle.clone();
    return reply(request(c -> Frame.newBuilder().setPutInvitation(PutInvitation.newBuilder()
        .setInvitationId(ByteString.copyFrom(id))
        .setBundle(ByteString.copyFrom(b))
        .setExpiresAt(expiresAt.getEpochSecond())
        .setAdmission(admission(c))), false), f -> null);
  }

  /** The admission proof for this connection's challenge, or empty without a secret. */
  private ByteString admission(byte[] challenge) {
    if (admissionSecret == null) {
      return ByteString.EMPTY;
    }
    return ByteString.copyFrom(AdmissionProof.of(admissionSecret.unsafeBytes(ADMISSION_ACCESS), challenge));
  }

  /** Fetches a sealed invitation bundle; fails with {@code NO_SUCH_MAILBOX} if there is none. */
  public CompletableFuture<byte[]> fetchInvitation(byte[] invitationId) {
    checkId(invitationId, 32, "invitation id");
    byte[] id = invitationId.clone();
    return reply(request(c -> Frame.newBuilder().setFetchInvitation(FetchInvitation.newBuilder()
        .setInvitationId(ByteString.copyFrom(id))), false),
        f -> f.getInvitationBundle().getBundle().toByteArray());
  }

  /** A round trip to the relay. */
  public CompletableFuture<Void> ping() {
    return reply(request(c -> Frame.newBuilder().setPing(Ping.getDefaultInstance()), false), f -> null);
  }

  /**
   * Waits for the first connection to be ready.
   *
   * @throws UntrustedRelayException if the relay's key does not match the address
   * @throws RelayUnavailableException if not connected within {@code timeout}
   */
  public void awaitConnected(Duration timeout) throws UntrustedRelayException, RelayUnavailableException {
    try {
      firstConnection.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof UntrustedRelayException u) {
        throw u;
      }
      throw new RelayUnavailableException("cannot reach the relay: " + e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new RelayUnavailableException(
          "cannot reach the relay at " + address.endpointList() + " within "
              + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RelayUnavailableException("interrupted while connecting");
    }
  }

  /** Whether the link is connected and ready now. */
  public boolean isConnected() {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    loop.execute(() -> f.complete(challenge != null && channel != null));
    return f.join();
  }

  /** Closes the connection for a moment, as a network failure would (for tests and operators). */
  public void disconnect() {
    loop.execute(() -> {
      if (channel != null) {
        channel.close();
      }
    });
  }

  /** Closes the link: pending requests fail; outbox entries stay in the outbox. Idempotent. */
  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      closed = true;
      RelayUnavailableException e = new RelayUnavailableException("relay link is closed");
      for (Pending p : waiting) {
        p.reply.completeExceptionally(e);
      }
      waiting.clear();
      for (Pending p : inFlight.values()) {
        p.reply.completeExceptionally(e);
      }
      inFlight.clear();
      for (CompletableFuture<Void> f : sendFutures.values()) {
        f.completeExceptionally(e);
      }
      sendFutures.clear();
      subscriptions.values().forEach(s -> s.ownerKey().close());
      senderKeys.values().forEach(SecretBytes::close);
      if (admissionSecret != null) {
        admissionSecret.close();
      }
      Channel ch = channel;
      if (ch != null) {
        ch.close().addListener(x -> done.complete(null));
      } else {
        done.complete(null);
      }
    });
    try {
      done.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "RelayLink[" + address + "]";
  }

  /** Builder of {@link RelayLink}. Not thread-safe. */
  public static final class Builder {
    private final RelayAddress address;
    private Executor callbacks = ForkJoinPool.commonPool();
    private Outbox outbox = new InMemoryOutbox();
    private Duration minBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private int maxFrameBytes = 72 * 1024;
    private boolean retryRefusedSends = true;
    private SecretBytes admissionSecret;

    private Builder(RelayAddress address) {
      this.address = Objects.requireNonNull(address, "address");
    }

    /** Where listeners and futures run (default: the common fork-join pool). */
    public Builder callbackExecutor(Executor executor) {
      this.callbacks = Objects.requireNonNull(executor, "executor");
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
      link.loop.execute(link::connect);
      return link;
    }
  }
}
