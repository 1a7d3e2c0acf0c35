package dev.backchannel.netty.client;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.crypto.SecretBytes;
import io.netty.channel.EventLoop;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The sender keys the link signs sends with, per locked mailbox, and their authorization on the
 * current connection: each key is proven once per connection with {@code AuthorizeSender}; until
 * the relay confirms, sends carry their own signatures ({@link #signerFor}). A refusal with
 * {@code LOCKED} (the owner has not locked the mailbox to the key yet) is tried again while the
 * connection lasts, from 100 ms doubling to 30 s. Any other failure leaves sends signed one by one.
 *
 * <p>State is confined to the loop except the key map, which {@link #use} writes at once; {@link
 * #use} and {@link #authorized} may be called from any thread. Owns copies of the keys and closes
 * them with the link.
 */
final class SenderAuthorization {
  private static final long AUTHORIZE_RETRY_MIN_MILLIS = 100;
  private static final long AUTHORIZE_RETRY_MAX_MILLIS = 30_000;

  private final LinkConnection connection;
  private final EventLoop loop;
  private final RequestTracker requests;
  private final RelayCommands commands;

  /**
   * Written by {@link #use} on the caller's thread before it returns, so a send the caller makes
   * afterwards is signed even if the connection becomes ready (and puts the outbox on the wire)
   * before the loop has run the rest of {@code use}.
   */
  private final Map<ByteBuffer, SecretBytes> senderKeys = new ConcurrentHashMap<>();
  // State below is touched on the loop only.
  /** Keys {@link #use} replaced; closed with the link. */
  private final List<SecretBytes> replaced = new ArrayList<>();
  /** Mailboxes whose sender key this connection has proven (AuthorizeSender). */
  private final Set<ByteBuffer> authorizedHere = new HashSet<>();
  /** Refused AuthorizeSender attempts per mailbox on this connection. */
  private final Map<ByteBuffer, Integer> authorizeAttempts = new HashMap<>();

  SenderAuthorization(LinkConnection connection, RequestTracker requests, RelayCommands commands) {
    this.connection = connection;
    this.loop = connection.loop();
    this.requests = requests;
    this.commands = commands;
  }

  /** Signs sends to {@code mailboxId} (32 bytes, checked) with a copy of {@code senderKey} from now on. */
  void use(byte[] mailboxId, SecretBytes senderKey) {
    SecretBytes copy = senderKey.copy();
    ByteBuffer id = ByteBuffer.wrap(mailboxId.clone());
    SecretBytes previous = senderKeys.put(id, copy);
    loop.execute(() -> {
      if (previous != null) {
        replaced.add(previous); // a send waiting for the connection may still sign with it
      }
      if (connection.ready() && senderKeys.get(id) == copy) {
        authorize(id, copy);
      }
    });
  }

  /** The key a send to {@code mailbox} must be signed with now, or null if none (on the loop). */
  SecretBytes signerFor(ByteBuffer mailbox) {
    SecretBytes senderKey = senderKeys.get(mailbox);
    if (senderKey != null && !senderKey.isClosed() && !authorizedHere.contains(mailbox)) {
      return senderKey;
    }
    return null;
  }

  /** Whether this connection has proven the sender key for {@code mailboxId} (any thread). */
  CompletableFuture<Boolean> authorized(byte[] mailboxId) {
    ByteBuffer id = ByteBuffer.wrap(mailboxId.clone());
    CompletableFuture<Boolean> out = new CompletableFuture<>();
    loop.execute(() -> out.complete(authorizedHere.contains(id)));
    return out;
  }

  /** The connection is ready: proves every key on it (on the loop). */
  void connected() {
    senderKeys.forEach(this::authorize);
  }

  /** The connection dropped: nothing is proven on the next one yet (on the loop). */
  void lost() {
    authorizedHere.clear();
    authorizeAttempts.clear();
  }

  /** The link is closing: closes the keys (on the loop). */
  void close() {
    senderKeys.values().forEach(SecretBytes::close);
    replaced.forEach(SecretBytes::close);
  }

  /**
   * Proves the sender key once on this connection (on the loop); until the relay confirms, sends
   * carry their own signatures.
   */
  private void authorize(ByteBuffer mailbox, SecretBytes key) {
    byte[] id = new byte[32];
    mailbox.duplicate().get(id);
    long epoch = connection.epoch();
    requests.request(commands.authorizeSender(id, key)).whenComplete((reply, err) -> loop.execute(() -> {
      if (epoch != connection.epoch()) {
        return; // the reconnect proves every key again
      }
      BackchannelException refusal = err == null ? Replies.error(reply) : null;
      if (err == null && refusal == null) {
        authorizedHere.add(mailbox);
        authorizeAttempts.remove(mailbox);
      } else if (refusal instanceof RelayRejectedException r && r.code() == RelayErrorCode.LOCKED) {
        // Not locked (to this key) yet: the owner locks it once our first message arrives. Until
        // then every send carries its own signature, so try again, with capped backoff.
        int attempt = authorizeAttempts.merge(mailbox, 1, Integer::sum);
        long delay = Math.min(AUTHORIZE_RETRY_MAX_MILLIS, AUTHORIZE_RETRY_MIN_MILLIS << Math.min(attempt - 1, 10));
        loop.schedule(() -> {
          if (epoch == connection.epoch() && connection.hasChannel() && !connection.closed()
              && senderKeys.get(mailbox) == key && !key.isClosed() && !authorizedHere.contains(mailbox)) {
            authorize(mailbox, key);
          }
        }, delay, TimeUnit.MILLISECONDS);
      }
    }));
  }
}
