package dev.backchannel.netty.client;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.error.UndeliverableException;
import dev.backchannel.netty.internal.wire.Frame;
import io.netty.channel.EventLoop;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends envelopes reliably through the {@link Outbox}: an envelope is put there before it first
 * goes out and removed only once the relay made it durable or refused it for good; every pending
 * entry goes out again after each reconnect. A retryable refusal holds the mailbox's sends in
 * order ({@link HeldSends}) and retries the first with capped backoff ({@link SendRetry}), unless
 * refused sends are not to be retried, when the refusal fails the future and the entry waits for
 * the next reconnect. A send can be given up ({@link #cancel}) until the relay has it.
 *
 * <p>Send futures complete on the callback executor: normally once the relay has the envelope;
 * with the relay's typed error for a permanent refusal, {@link UndeliverableException} once given
 * up, {@link StateStoreException} if the outbox cannot record it, and the link's error once it is
 * closed or failed for good. State is confined to the loop; {@link #send} and {@link #cancel} may
 * be called from any thread.
 */
final class ReliableSender {
  // Logged under the link's name, which is what operators configure.
  private static final Logger LOG = LoggerFactory.getLogger(RelayLink.class);

  private final LinkConnection connection;
  private final EventLoop loop;
  private final RequestTracker requests;
  private final RelayCommands commands;
  private final SenderAuthorization authorization;
  private final Outbox outbox;
  private final Executor callbacks;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final boolean retryRefusedSends;

  // State below is touched on the loop only.
  private final Map<ByteBuffer, CompletableFuture<Void>> sendFutures = new HashMap<>();
  /** Sends on the wire on this connection, awaiting the relay's answer. */
  private final Set<ByteBuffer> sendsInFlight = new HashSet<>();
  /** Sends the relay refused for a while, held in order per mailbox. */
  private final HeldSends held = new HeldSends();
  /** Sends to give up once the relay's next definite answer is a refusal. */
  private final Map<ByteBuffer, CompletableFuture<Boolean>> cancels = new HashMap<>();

  /** How refused sends are retried: backoff from {@code min} to {@code max}, or not at all. */
  record Retries(Duration min, Duration max, boolean retryRefused) {}

  ReliableSender(LinkConnection connection, RequestTracker requests, RelayCommands commands,
      SenderAuthorization authorization, Outbox outbox, Executor callbacks, Retries retries) {
    this.connection = connection;
    this.loop = connection.loop();
    this.requests = requests;
    this.commands = commands;
    this.authorization = authorization;
    this.outbox = outbox;
    this.callbacks = callbacks;
    this.minBackoff = retries.min();
    this.maxBackoff = retries.max();
    this.retryRefusedSends = retries.retryRefused();
  }

  /** Stores an envelope (ids checked) in the outbox and sends it once connected. */
  CompletableFuture<Void> send(byte[] mailboxId, byte[] messageId, byte[] body) {
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
      if (connection.fatal() != null) {
        out.completeExceptionally(connection.fatal());
      } else if (connection.ready() && !sendsInFlight.contains(ByteBuffer.wrap(entry.messageId()))) {
        transmit(entry); // unless the connection became ready since the put and sent the outbox
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

  /** The connection is ready: sends the whole outbox again, in order (on the loop). */
  void connected() {
    try {
      for (Outbox.Entry e : outbox.pending()) {
        if (!sendsInFlight.contains(ByteBuffer.wrap(e.messageId()))) {
          transmit(e);
        }
      }
    } catch (StateStoreException e) {
      LOG.warn("reading the outbox failed: {}", e.toString());
    }
  }

  /** Puts one outbox entry on the wire (on the loop, when connected). */
  private void transmit(Outbox.Entry e) {
    if (held.isHeld(ByteBuffer.wrap(e.mailboxId()))) {
      held.queue(e); // behind a refused send to the same mailbox: keeps the order
      return;
    }
    put(e);
  }

  /** Writes one send (on the loop, when connected). */
  private void put(Outbox.Entry e) {
    held.sent(e);
    ByteBuffer key = ByteBuffer.wrap(e.messageId());
    sendsInFlight.add(key);
    long epoch = connection.epoch();
    requests.writeSend(commands.send(e, authorization.signerFor(ByteBuffer.wrap(e.mailboxId()))))
        .whenComplete((frame, err) -> loop.execute(() -> sendAnswered(e, key, epoch, frame, err)));
  }

  /** Settles one send after the relay's answer or the connection's loss (on the loop). */
  private void sendAnswered(Outbox.Entry e, ByteBuffer key, long epoch, Frame frame, Throwable err) {
    if (epoch == connection.epoch()) {
      sendsInFlight.remove(key);
    }
    if (err != null || connection.closed()) {
      return; // connection lost: the entry stays in the outbox and goes out after the reconnect
    }
    BackchannelException refusal = Replies.error(frame);
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
    if (epoch == connection.epoch() && connection.ready()) {
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
    if (connection.closed() || connection.fatal() != null || !connection.ready()) {
      return; // the reconnect sends the outbox again
    }
    Outbox.Entry head = held.takeHead(mailbox);
    if (head != null) {
      put(head);
    }
  }

  /**
   * Gives up an envelope (id checked) that has not reached the relay; completes on the callback
   * executor with whether it is certain the relay never stored it.
   */
  CompletableFuture<Boolean> cancel(byte[] messageId) {
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

  /** The connection dropped: nothing is on the wire or held any more (on the loop). */
  void lost() {
    sendsInFlight.clear();
    held.clear();
  }

  /** The link failed for good or is closing: every send future fails with {@code e} (on the loop). */
  void failAll(BackchannelException e) {
    for (CompletableFuture<Void> f : sendFutures.values()) {
      f.completeExceptionally(e);
    }
    sendFutures.clear();
  }
}
