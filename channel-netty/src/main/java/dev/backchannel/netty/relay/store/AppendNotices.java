package dev.backchannel.netty.relay.store;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An optional capability of a {@link MailboxStore} that several relay nodes share: it tells this
 * node when another node appended to a mailbox it subscribed to, so the node can push the new
 * envelopes to its own subscriber. The relay uses it when its store implements it.
 *
 * <p>Notices are hints and are lossy: one may be dropped (a reconnect, a failover) or repeated,
 * so the relay reads the mailbox from its subscriber's position on every notice and never depends
 * on one. A store also calls the listener after each (re)subscription is confirmed, so that what
 * was appended while no subscription was active is read then. Thread-safe; the listener runs on
 * the store's threads and must not block.
 *
 * @since 0.2
 */
public interface AppendNotices {
  /**
   * Adds a listener called with the mailbox id of each notice (and after each confirmed
   * subscription). May open the store's notice connection: call it at start-up, not on an event
   * loop.
   */
  void onRemoteAppend(Consumer<byte[]> listener);

  /** Starts notices for a mailbox; completes once subscribed. Must not block. */
  CompletableFuture<Void> subscribe(byte[] mailboxId);

  /** Stops notices for a mailbox. Must not block. */
  CompletableFuture<Void> unsubscribe(byte[] mailboxId);
}
