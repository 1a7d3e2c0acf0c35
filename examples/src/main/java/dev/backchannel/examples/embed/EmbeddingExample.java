package dev.backchannel.examples.embed;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.api.PendingInvitation;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.BackchannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Two parties meet through an invitation and talk through a relay: the code the README shows.
 * Run it with a relay address: {@code EmbeddingExample bcr://…@127.0.0.1:7443 <state dir>}.
 */
public final class EmbeddingExample {
  private EmbeddingExample() {}

  /** Runs the exchange and returns what each side read and the safety number. */
  public static String run(RelayAddress relay, Path stateRoot)
      throws BackchannelException, InterruptedException, ExecutionException, TimeoutException {
    try (Peer minister = Peer.builder().stateDirectory(stateRoot.resolve("minister")).relay(relay).build();
        Peer envoy = Peer.builder().stateDirectory(stateRoot.resolve("envoy")).relay(relay).build()) {
      // The inviter makes an invitation; the string travels out of band (chat, QR, paper).
      PendingInvitation invitation = minister.invite("envoy", Duration.ofHours(24));
      String code = invitation.invitation().toCompactString();

      // The invitee accepts it and talks; send completes once the relay holds the message.
      Conversation toMinister = envoy.accept(Invitation.parse(code), "minister");
      toMinister.send("Our terms are on the table.").get(30, TimeUnit.SECONDS);

      // The inviter's conversation opens with the envoy's first envelope; it reads and answers.
      Conversation toEnvoy = invitation.accepted().get(30, TimeUnit.SECONDS);
      Message first = toEnvoy.receive(Duration.ofSeconds(30)).orElseThrow();
      toEnvoy.send("Received. We will answer tomorrow.").get(30, TimeUnit.SECONDS);
      Message reply = toMinister.receive(Duration.ofSeconds(30)).orElseThrow();

      // Both compare the safety number out of band, then mark the contact verified.
      boolean same = toMinister.safetyNumber().equals(toEnvoy.safetyNumber());
      if (same) {
        toMinister.markVerified();
      }
      return "minister read: " + first.text() + "\nenvoy read: " + reply.text()
          + "\nsafety number (" + (same ? "same on both sides" : "DIFFERENT") + "): "
          + toMinister.safetyNumber().formatted();
    }
  }

  /** Command-line entry: {@code <relay address> <state directory>}. */
  public static void main(String[] args) throws Exception {
    System.out.println(run(RelayAddress.parse(args[0]), Path.of(args[1])));
  }
}
