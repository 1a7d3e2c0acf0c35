package dev.backchannel.examples.cli;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.UnknownSessionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The contact and message verbs on an open {@link Peer}, shared by the one-shot {@code peer}
 * commands and the daemon: each does the work once and returns the {@link CliEvent} to report.
 * Failures are the API's typed exceptions ({@link ExitCodes#of} maps them); an
 * {@link ExecutionException} carries one of them as its cause.
 */
final class PeerActions {
  /** How long {@code send} waits for the relay to hold a message durably. */
  static final Duration RELAY_WAIT = Duration.ofSeconds(20);

  private PeerActions() {}

  /** The conversation with {@code name}, or a typed error that says where to look. */
  static Conversation contact(Peer peer, String name) throws UnknownSessionException {
    return peer.conversation(name).orElseThrow(() ->
        new UnknownSessionException("no contact named '" + name + "' (see 'contacts')"));
  }

  /** Makes an invitation for {@code label}, valid {@code hours} (already checked to be 1..720). */
  static CliEvent.Invitation invite(Peer peer, String label, int hours, boolean qr) throws BackchannelException {
    Invitation inv = peer.createInvitation(label, Duration.ofHours(hours));
    String code = inv.toCompactString();
    return new CliEvent.Invitation(code, label, inv.expiresAt(), qr ? PeerCommand.renderQr(code) : null);
  }

  /** Accepts {@code inv}; the inviter is called {@code name}. */
  static CliEvent.Contact accept(Peer peer, Invitation inv, String name) throws BackchannelException {
    return CliEvent.Contact.of(peer.accept(inv, name), true);
  }

  /**
   * Sends {@code text} to {@code name} and waits until the relay holds it durably.
   *
   * @throws RelayUnavailableException if the relay does not confirm within {@link #RELAY_WAIT}
   *     (the message stays in the durable outbox)
   */
  static CliEvent.Sent send(Peer peer, String name, String text)
      throws BackchannelException, ExecutionException, InterruptedException {
    Conversation c = contact(peer, name);
    // Before the contact has answered, the message travels behind the handshake.
    try {
      long seq = c.send(text).get(RELAY_WAIT.toSeconds(), TimeUnit.SECONDS);
      return new CliEvent.Sent(c.name(), seq);
    } catch (TimeoutException e) {
      throw new RelayUnavailableException(
          "the relay did not confirm in time; the message stays in the outbox and goes out on the next run");
    }
  }

  /** Every contact, as {@code contacts} lists them. */
  static List<CliEvent.Contact> contacts(Peer peer) {
    return peer.conversations().stream().map(c -> CliEvent.Contact.of(c, false)).toList();
  }

  /** Marks {@code name} verified. */
  static CliEvent.Verified verify(Peer peer, String name) throws BackchannelException {
    contact(peer, name).markVerified();
    return new CliEvent.Verified(name);
  }
}
