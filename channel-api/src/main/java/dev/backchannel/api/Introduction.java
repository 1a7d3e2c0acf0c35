package dev.backchannel.api;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An introduction this peer made between two of its contacts, with the future of its outcome.
 * The future completes with {@link IntroductionOutcome#CONNECTED} once both accepted and each was
 * sent what it needs to reach the other, {@link IntroductionOutcome#CLOSED} when one declined,
 * {@link IntroductionOutcome#EXPIRED} when the introduction expired first, and fails with
 * {@link dev.backchannel.api.error.StateStoreException} if the peer closes before. Immutable;
 * thread-safe.
 *
 * @since 0.3
 */
public final class Introduction {
  private final String id;
  private final String first;
  private final String second;
  private final Instant expiresAt;
  private final CompletableFuture<IntroductionOutcome> outcome;

  /** For runtimes. */
  public Introduction(String id, String first, String second, Instant expiresAt,
      CompletableFuture<IntroductionOutcome> outcome) {
    this.id = Objects.requireNonNull(id, "id");
    this.first = Objects.requireNonNull(first, "first");
    this.second = Objects.requireNonNull(second, "second");
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.outcome = Objects.requireNonNull(outcome, "outcome");
  }

  /** The introduction id (32 lowercase hex digits), as both introducees see it. */
  public String id() {
    return id;
  }

  /** The name of the first contact introduced. */
  public String first() {
    return first;
  }

  /** The name of the second contact introduced. */
  public String second() {
    return second;
  }

  /** When the introduction expires unless both have accepted. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** The outcome; completing or cancelling the returned future does not affect the peer. */
  public CompletableFuture<IntroductionOutcome> outcome() {
    return outcome.copy();
  }

  @Override
  public String toString() {
    return "Introduction[" + id + ": " + first + " <-> " + second + "]";
  }
}
