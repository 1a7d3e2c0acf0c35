package dev.backchannel.examples.demo;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * {@code demo}: an in-process relay on a free loopback port with a temporary data directory, two
 * peers, an invitation and a short exchange both ways. Prints what each peer read and, beside
 * it, what the relay stored; then removes everything and exits 0.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a relay and two peers in this process and show what the relay sees.")
public final class DemoCommand implements Callable<Integer> {
  private static final String[][] SCRIPT = {
    {"envoy", "We are ready to talk about the border."},
    {"minister", "So are we. Same channel tomorrow?"},
    {"envoy", "Agreed. Nothing of this leaves the room."},
  };

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Path tmp = Files.createTempDirectory("backchannel-demo");
    try {
      RecordingMailboxStore store = new RecordingMailboxStore(new RocksDbMailboxStore(tmp.resolve("relay/store")));
      try (RelayServer relay = RelayServer.start(
              RelayConfig.builder(tmp.resolve("relay")).port(0).mailboxStore(store).build());
          Peer minister = Peer.builder().stateDirectory(tmp.resolve("minister")).relay(relay.address()).build();
          Peer envoy = Peer.builder().stateDirectory(tmp.resolve("envoy")).relay(relay.address()).build()) {
        out.println("relay address: " + relay.address());
        String code = minister.createInvitation("envoy", Duration.ofHours(1)).toCompactString();
        out.println("minister invites: " + code);
        Conversation toMinister = envoy.accept(Invitation.parse(code), "minister");
        out.println("envoy accepted; safety number " + toMinister.safetyNumber().formatted());
        Conversation toEnvoy = null;
        for (String[] line : SCRIPT) {
          boolean fromEnvoy = line[0].equals("envoy");
          Conversation from = fromEnvoy ? toMinister : toEnvoy;
          from.send(line[1]).get(30, TimeUnit.SECONDS);
          if (toEnvoy == null) {
            toEnvoy = await(minister);
          }
          Conversation to = fromEnvoy ? toEnvoy : toMinister;
          Message m = to.receive(Duration.ofSeconds(30)).orElseThrow();
          out.printf("%-9s read #%d: %s%n", fromEnvoy ? "minister" : "envoy", m.sequence(), m.text());
        }
        out.println("safety numbers equal on both sides: "
            + toMinister.safetyNumber().equals(toEnvoy.safetyNumber()));
        out.println();
        out.println("what the relay stored (mailbox id, size, first bytes):");
        for (RecordingMailboxStore.Seen s : store.seen) {
          out.printf("  %-16s %6d bytes  %s%n", s.mailbox(), s.bytes(), s.firstBytes());
        }
        out.println("the relay saw no names, no identities and no text: only ids, padded sizes and ciphertext.");
      }
      return 0;
    } finally {
      deleteRecursively(tmp);
    }
  }

  private static Conversation await(Peer peer) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      var c = peer.conversation("envoy");
      if (c.isPresent()) {
        return c.get();
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the invitation was not accepted within 30 s");
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
