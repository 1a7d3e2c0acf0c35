package dev.backchannel.api;

import dev.backchannel.api.error.BackchannelException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * An introduction proposed to this peer by one of its contacts: "meet the holder of this
 * identity, whom I call {@link #proposedLabel()}". Nothing is created before {@link #accept} is
 * called. The proposal arrived on the introducer's authenticated channel, so its identity is only
 * as good as the introducer's word: compare the safety number out of band to be sure.
 *
 * <p>Thread-safe. A pending request survives restarts ({@link Peer#introductionRequests()}).
 *
 * @since 0.3
 */
public interface IntroductionRequest {
  /** The introduction id (32 lowercase hex digits). */
  String id();

  /** This peer's name for the contact who proposed the introduction. */
  String from();

  /** The introducer's name for the party it proposes. */
  String proposedLabel();

  /** The introducer's note (empty when none). */
  String note();

  /** When the proposal expires unless both sides accepted. */
  Instant expiresAt();

  /**
   * Accepts: the new contact will be called {@code name} here. Returns once the acceptance is
   * durably recorded and queued for the introducer (the side that answers the handshake also makes
   * a single-use invitation at its relay first, which waits on the network). The future completes
   * with the conversation once the other side accepted too and the first message each way
   * confirmed the keys; it fails with
   * {@link dev.backchannel.api.error.IntroductionClosedException} if the introduction closes or
   * expires first, or the handshake fails.
   *
   * @throws dev.backchannel.api.error.IntroductionClosedException if it is no longer pending
   * @throws dev.backchannel.api.error.MalformedInputException if {@code name} is not a valid,
   *     unused contact name
   * @throws BackchannelException for relay and storage failures (the request stays pending)
   */
  CompletableFuture<Conversation> accept(String name) throws BackchannelException;

  /**
   * Declines. The introducer learns it; the other side is told only that the introduction
   * closed, as it would be on expiry.
   *
   * @throws dev.backchannel.api.error.IntroductionClosedException if it is no longer pending
   * @throws BackchannelException if it cannot be stored
   */
  void decline() throws BackchannelException;
}
