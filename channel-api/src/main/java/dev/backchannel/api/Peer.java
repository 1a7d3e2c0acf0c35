package dev.backchannel.api;

import dev.backchannel.api.error.BackchannelException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One party of Backchannel: an identity, its contacts and conversations, its state directory
 * and its link to a relay. The front door of the library:
 *
 * <pre>{@code
 * try (Peer envoy = Peer.builder()
 *         .stateDirectory(Path.of("envoy-state"))
 *         .passphrase(console.readPassword())
 *         .relay(RelayAddress.parse(relayUri))
 *         .build()) {
 *   Conversation talks = envoy.accept(Invitation.parse(pasted), "minister");
 *   talks.onMessage(m -> ui.show(m.text()));
 *   talks.send("hello").join();
 * }
 * }</pre>
 *
 * <p>Guarantees: state changes are atomic and durable (a crash at any moment leaves a state that
 * resumes); with a passphrase, the state directory holds no plaintext and no key bytes. Thread-
 * safe. {@link #close()} is idempotent.
 *
 * @since 0.1
 */
public interface Peer extends AutoCloseable {
  /** A builder that finds the runtime (channel-netty) through {@link java.util.ServiceLoader}. */
  static PeerBuilder builder() {
    return new PeerBuilder();
  }

  /**
   * Makes an invitation for a new contact who will be called {@code name} here, valid for
   * {@code validity} (at most 30 days). The returned invitation's string travels out of band.
   *
   * @throws BackchannelException if the relay cannot store the sealed bundle, or a name is taken
   */
  default Invitation createInvitation(String name, Duration validity) throws BackchannelException {
    return invite(name, validity).invitation();
  }

  /**
   * Makes an invitation as {@link #createInvitation} does, with the future of the conversation it
   * will open, so an application can wait for the invitee without polling.
   *
   * @throws BackchannelException if the relay cannot store the sealed bundle, or a name is taken
   * @since 0.2
   */
  PendingInvitation invite(String name, Duration validity) throws BackchannelException;

  /**
   * Accepts an invitation: fetches and checks the inviter's bundle, runs the handshake and
   * opens the conversation, named {@code name} here.
   *
   * @throws dev.backchannel.api.error.InvalidInvitationException if it expired, was used, or its
   *     bundle does not match the inviter's fingerprint
   * @throws BackchannelException for relay and storage failures
   */
  Conversation accept(Invitation invitation, String name) throws BackchannelException;

  /** Every conversation, in the order they were made. */
  List<Conversation> conversations();

  /** The conversation with the contact named {@code name}. */
  Optional<Conversation> conversation(String name);

  /**
   * Called with each conversation opened by someone accepting one of our invitations (replacing
   * an earlier listener). Conversations opened in this process before any listener saw them are
   * handed to it at once, so none is missed between {@code build()} and this call.
   */
  void onConversation(Consumer<Conversation> listener);

  /**
   * Introduces two of this peer's contacts to each other, with {@code note} (at most 500
   * characters, may be empty), valid for seven days; see {@link #introduce(Conversation,
   * Conversation, String, Duration)}.
   *
   * @throws BackchannelException as the longer form does
   * @since 0.3
   */
  default Introduction introduce(Conversation first, Conversation second, String note) throws BackchannelException {
    return introduce(first, second, note, Duration.ofDays(7));
  }

  /**
   * Introduces two of this peer's contacts to each other: each is told, inside its own
   * conversation, the other's identity and this side's name for it, and decides alone. Once both
   * accepted, each is sent what it needs to reach the other directly (through the relays; nothing
   * of their talk passes here). A decline and an expiry look the same to the other side.
   *
   * @param validity how long the two have to answer (1 second .. 30 days)
   * @throws dev.backchannel.api.error.MalformedInputException if the two are the same contact
   *     (or share an identity), a conversation is not this peer's or not yet established, the note
   *     is too long, or the validity is out of range
   * @throws dev.backchannel.api.error.QuotaExceededException if too many of this peer's
   *     introductions are still open
   * @throws BackchannelException if it cannot be stored
   * @since 0.3
   */
  Introduction introduce(Conversation first, Conversation second, String note, Duration validity)
      throws BackchannelException;

  /**
   * Called with each introduction proposed to this peer (replacing an earlier listener).
   * Requests that arrived in this process before any listener saw them are handed to it at once.
   *
   * @since 0.3
   */
  void onIntroduction(Consumer<IntroductionRequest> listener);

  /**
   * The introductions proposed to this peer that it has not answered yet, oldest first
   * (they survive restarts).
   *
   * @since 0.3
   */
  List<IntroductionRequest> introductionRequests();

  /**
   * The application's own small key-value space in this peer's state (sealed like the rest).
   *
   * @since 0.3
   */
  AppData appData();

  /**
   * Every agreement of every conversation, oldest first.
   *
   * @since 0.3
   */
  List<Agreement> agreements();

  /**
   * The agreement with {@code id} (32 hex characters, any case), in whichever conversation.
   *
   * @since 0.3
   */
  Optional<Agreement> agreement(String id);

  /**
   * Waits until the link to the relay is up.
   *
   * @throws dev.backchannel.api.error.UntrustedRelayException if the relay's key does not match
   *     its address
   * @throws dev.backchannel.api.error.RelayUnavailableException if it is not up within
   *     {@code timeout}
   */
  void awaitRelay(Duration timeout) throws BackchannelException;

  /** This peer's identity fingerprint (32 bytes, a copy). */
  byte[] fingerprint();

  /** Starts closing; the future completes when the peer has stopped. */
  CompletableFuture<Void> closeAsync();

  /**
   * Waits until the peer has stopped.
   *
   * @return whether it stopped within {@code timeout}
   */
  boolean awaitTermination(Duration timeout) throws InterruptedException;

  /** Closes the peer, waiting briefly for pending writes. Idempotent. */
  @Override
  void close();
}
