package dev.backchannel.api;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An invitation just made, with the conversation it will open. Hand {@link #invitation()} out of
 * band; {@link #accepted()} completes with the conversation once the invitee's first envelope has
 * been processed here, and fails with {@link dev.backchannel.api.error.InvalidInvitationException}
 * ({@code EXPIRED}) if nobody accepts before the invitation expires, or with
 * {@link dev.backchannel.api.error.StateStoreException} if the peer closes first.
 *
 * <p>Immutable; thread-safe.
 *
 * @since 0.2
 */
public final class PendingInvitation {
  private final Invitation invitation;
  private final CompletableFuture<Conversation> accepted;

  /** Pairs an invitation with the future of its conversation (for runtimes). */
  public PendingInvitation(Invitation invitation, CompletableFuture<Conversation> accepted) {
    this.invitation = Objects.requireNonNull(invitation, "invitation");
    this.accepted = Objects.requireNonNull(accepted, "accepted");
  }

  /** The invitation to hand to the invitee. */
  public Invitation invitation() {
    return invitation;
  }

  /**
   * Completes with the conversation the invitation opens. Completing or cancelling the returned
   * future does not affect the peer.
   */
  public CompletableFuture<Conversation> accepted() {
    return accepted.copy();
  }

  @Override
  public String toString() {
    return "PendingInvitation[" + invitation + ", " + (accepted.isDone() ? "done" : "waiting") + "]";
  }
}
