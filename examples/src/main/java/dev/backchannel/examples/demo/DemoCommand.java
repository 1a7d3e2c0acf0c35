package dev.backchannel.examples.demo;

import dev.backchannel.api.Agreement;
import dev.backchannel.api.AgreementStatus;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Introduction;
import dev.backchannel.api.IntroductionRequest;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;

/**
 * {@code demo}: an in-process relay on a free loopback port with a temporary data directory and
 * three peers. A mediator who knows a minister and an envoy (each met by invitation) introduces
 * them; both accept; they talk both ways and sign the terms they reached, which a verifier checks
 * offline. Prints what each read, what the mediator holds (the introduction, none of the talk) and
 * what the relay stored; then removes everything and exits 0.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a relay and three peers in this process: a mediator introduces a minister and an envoy.")
public final class DemoCommand implements Callable<Integer> {
  private static final String[][] SCRIPT = {
    {"envoy", "We are ready to talk about the border."},
    {"minister", "So are we. Same channel tomorrow?"},
    {"envoy", "Agreed. Nothing of this leaves the room."},
  };
  private static final String TERMS = "1. The border stays where it is.\n2. Talks resume in May.\n";

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    Path tmp = Files.createTempDirectory("backchannel-demo");
    try {
      RecordingMailboxStore store = new RecordingMailboxStore(new RocksDbMailboxStore(tmp.resolve("relay/store")));
      try (RelayServer relay = RelayServer.start(
              RelayConfig.builder(tmp.resolve("relay")).port(0).mailboxStore(store).build());
          Peer mediator = Peer.builder().stateDirectory(tmp.resolve("mediator")).relay(relay.address()).build();
          Peer minister = Peer.builder().stateDirectory(tmp.resolve("minister")).relay(relay.address()).build();
          Peer envoy = Peer.builder().stateDirectory(tmp.resolve("envoy")).relay(relay.address()).build()) {
        out.println("relay address: " + relay.address());
        Conversation mediatorToMinister = meet(mediator, "minister", minister, out);
        Conversation mediatorToEnvoy = meet(mediator, "envoy", envoy, out);

        Introduction intro = mediator.introduce(mediatorToMinister, mediatorToEnvoy, "you two should talk");
        out.println("mediator introduces minister and envoy: introduction " + intro.id());
        IntroductionRequest atMinister = next(minister);
        IntroductionRequest atEnvoy = next(envoy);
        out.println("minister is asked by " + atMinister.from() + " to meet '" + atMinister.proposedLabel()
            + "' (note: " + atMinister.note() + "); accepts");
        CompletableFuture<Conversation> m = atMinister.accept("envoy");
        out.println("envoy is asked by " + atEnvoy.from() + " to meet '" + atEnvoy.proposedLabel() + "'; accepts");
        CompletableFuture<Conversation> e = atEnvoy.accept("minister");
        Conversation toEnvoy = m.get(60, TimeUnit.SECONDS);
        Conversation toMinister = e.get(60, TimeUnit.SECONDS);
        out.println("mediator sees the introduction " + intro.outcome().get(60, TimeUnit.SECONDS).name().toLowerCase()
            + "; minister's contact 'envoy' was introduced by " + toEnvoy.provenance().introducerName().orElse("?"));

        for (String[] line : SCRIPT) {
          boolean fromEnvoy = line[0].equals("envoy");
          (fromEnvoy ? toMinister : toEnvoy).send(line[1]).get(30, TimeUnit.SECONDS);
          Message msg = (fromEnvoy ? toEnvoy : toMinister).receive(Duration.ofSeconds(30)).orElseThrow();
          out.printf("%-9s read #%d: %s%n", fromEnvoy ? "minister" : "envoy", msg.sequence(), msg.text());
        }
        byte[] file = agree(toEnvoy, envoy, out);
        dev.backchannel.crypto.agreement.Verification v = dev.backchannel.crypto.agreement.Agreements.verify(file,
            TERMS.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.println("verifier (offline, the envoy's file and the text): " + v.status().name().toLowerCase() + " '"
            + v.title() + "' signed by " + v.parties().stream().map(p -> p.label() + " " + p.fingerprint().hex()
            .substring(0, 16) + "...").toList());
        file[file.length / 2] ^= 1;
        out.println("verifier on the file with one byte changed: "
            + dev.backchannel.crypto.agreement.Agreements.verify(file).status().name().toLowerCase());
        out.println("safety numbers equal on both sides: " + toMinister.safetyNumber().equals(toEnvoy.safetyNumber())
            + " (compare them out of band: a mediator who swapped keys would show here)");
        out.println();
        out.println("what the mediator holds: contacts " + mediator.conversations().stream().map(Conversation::name).toList()
            + ", the introduction " + intro.id() + ", and none of the talk or the agreement: its state contains"
            + " their text " + (contains(tmp.resolve("mediator"), SCRIPT[0][1])
                || contains(tmp.resolve("mediator"), "The border stays") ? "(yes!)" : "nowhere"));
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

  /**
   * The minister proposes the terms they reached, the envoy signs, the minister countersigns;
   * returns the envoy's exported file.
   */
  private static byte[] agree(Conversation toEnvoy, Peer envoy, PrintStream out) throws Exception {
    Agreement offer = toEnvoy.propose("Border talks", TERMS, "minister", java.time.Instant.parse("2031-01-01T00:00:00Z"));
    out.println("minister proposes the agreement '" + offer.title() + "' (" + offer.id().substring(0, 8)
        + "...): the draft travels in the conversation, unsigned");
    Agreement there = awaitAgreement(envoy);
    out.println("envoy reads it (" + there.status().name().toLowerCase().replace('_', '-') + ") and signs");
    there.sign().get(60, TimeUnit.SECONDS);
    for (int i = 0; i < 3000 && offer.status() != AgreementStatus.AWAITING_SIGNATURE; i++) {
      Thread.sleep(10);
    }
    offer.sign().get(60, TimeUnit.SECONDS);
    for (int i = 0; i < 3000 && there.status() != AgreementStatus.COMPLETE; i++) {
      Thread.sleep(10);
    }
    out.println("minister countersigns: the agreement is " + offer.status().name().toLowerCase()
        + " on the minister's side and " + there.status().name().toLowerCase() + " on the envoy's");
    return there.export();
  }

  private static Agreement awaitAgreement(Peer peer) throws InterruptedException {
    for (int i = 0; i < 3000 && peer.agreements().isEmpty(); i++) {
      Thread.sleep(10);
    }
    return peer.agreements().get(0);
  }

  /** {@code inviter} invites {@code who} (its peer {@code invitee}); one message each way. */
  private static Conversation meet(Peer inviter, String who, Peer invitee, PrintStream out) throws Exception {
    String code = inviter.createInvitation(who, Duration.ofHours(1)).toCompactString();
    Conversation back = invitee.accept(Invitation.parse(code), "mediator");
    back.send("hello, mediator").get(30, TimeUnit.SECONDS);
    Conversation c = await(inviter, who);
    c.receive(Duration.ofSeconds(30)).orElseThrow();
    c.send("hello, " + who).get(30, TimeUnit.SECONDS);
    back.receive(Duration.ofSeconds(30)).orElseThrow();
    out.println("mediator and " + who + " met by invitation " + code.substring(0, 16) + "...");
    return c;
  }

  private static IntroductionRequest next(Peer peer) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      var r = peer.introductionRequests();
      if (!r.isEmpty()) {
        return r.get(0);
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("no introduction arrived within 30 s");
  }

  private static boolean contains(Path root, String text) throws IOException {
    byte[] needle = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        if (indexOf(Files.readAllBytes(f), needle) >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static Conversation await(Peer peer, String name) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      var c = peer.conversation(name);
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
