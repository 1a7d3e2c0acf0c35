package dev.backchannel.examples.cli;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Introduction;
import dev.backchannel.api.IntroductionRequest;
import dev.backchannel.api.Peer;
import dev.backchannel.api.Provenance;
import dev.backchannel.api.error.IntroductionClosedException;
import dev.backchannel.api.error.MalformedInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/**
 * The introduction commands of {@code peer}: {@code introduce}, {@code introductions},
 * {@code accept-introduction} and {@code decline-introduction}, and the lines {@code receive}
 * prints for them. Their words are a fixed contract (scripts read them).
 */
final class IntroductionCommands {
  private static final Duration SEND_WAIT = Duration.ofSeconds(20);

  private IntroductionCommands() {}

  /** {@code introduction: ID from: M proposes: LABEL[ note: TEXT]}. */
  static String line(IntroductionRequest r) {
    return "introduction: " + r.id() + " from: " + r.from() + " proposes: " + r.proposedLabel()
        + (r.note().isEmpty() ? "" : " note: " + r.note());
  }

  /** The {@code introduced-by: M} suffix of a contact line, while the contact is unverified. */
  static String introducedBy(Conversation c) {
    Provenance p = c.provenance();
    return p.kind() == Provenance.Kind.INTRODUCED ? " introduced-by: " + p.introducerName().orElse("") : "";
  }

  /** Prints each pending request not printed by an earlier run (for {@code receive}). */
  static void announceRequests(PeerCommand peer, Peer p, PrintWriter out) throws Exception {
    Announcements seen = new Announcements(p, "cli.announced-introductions",
        peer.state.resolve("announced-introductions.txt"));
    Set<String> done = seen.read();
    for (IntroductionRequest r : p.introductionRequests()) {
      if (!done.contains(r.id())) {
        out.println(line(r));
        out.flush();
        seen.add(r.id());
      }
    }
  }

  /** Waits up to a while for what {@code c} queued to reach the relay (it stays in the outbox otherwise). */
  static void flush(Conversation... cs) throws InterruptedException {
    long deadline = System.nanoTime() + SEND_WAIT.toNanos();
    for (Conversation c : cs) {
      while (c.pendingSends() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    }
  }

  static IntroductionRequest find(Peer p, String id) throws IntroductionClosedException {
    List<IntroductionRequest> pending = p.introductionRequests();
    return pending.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow(() ->
        new IntroductionClosedException("no pending introduction " + id + " (see 'introductions'; it may have expired)"));
  }

  @Command(name = "introduce", mixinStandardHelpOptions = true,
      description = "Introduce contacts A and B to each other; each decides alone.")
  static final class Introduce implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(index = "0", paramLabel = "A", description = "A contact (see 'contacts').")
    String first;

    @Parameters(index = "1", paramLabel = "B", description = "Another contact.")
    String second;

    @Option(names = "--note", defaultValue = "", description = "A note both will see (at most 500 characters).")
    String note;

    @Option(names = "--valid-hours", defaultValue = "168",
        description = "How long they have to answer, in hours (default ${DEFAULT-VALUE}, at most 720).")
    int hours;

    @Override
    public Integer call() {
      return peer.run(() -> {
        if (hours < 1 || hours > 720) {
          throw new MalformedInputException("--valid-hours must be 1..720");
        }
        try (Peer p = peer.open(null)) {
          Conversation a = peer.contact(p, first);
          Conversation b = peer.contact(p, second);
          Introduction intro = p.introduce(a, b, note, Duration.ofHours(hours));
          PrintWriter out = peer.spec.commandLine().getOut();
          out.println("introduction: " + intro.id());
          out.flush();
          flush(a, b);
          return ExitCodes.OK;
        }
      });
    }
  }

  @Command(name = "introductions", mixinStandardHelpOptions = true,
      description = "List the introductions proposed to you that wait for your answer.")
  static final class Introductions implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null, false)) {
          PrintWriter out = peer.spec.commandLine().getOut();
          for (IntroductionRequest r : p.introductionRequests()) {
            out.println(line(r));
          }
          out.flush();
          return ExitCodes.OK;
        }
      });
    }
  }

  @Command(name = "accept-introduction", mixinStandardHelpOptions = true,
      description = "Accept introduction ID; the new contact will be called NAME.")
  static final class AcceptIntroduction implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(paramLabel = "ID", description = "The introduction (see 'introductions').")
    String id;

    @Option(names = "--name", required = true, description = "Name for the party introduced.")
    String name;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null)) {
          IntroductionRequest r = find(p, id);
          r.accept(name);
          PrintWriter out = peer.spec.commandLine().getOut();
          out.println("accepted: " + id);
          out.flush();
          flush(peer.contact(p, r.from()));
          return ExitCodes.OK;
        }
      });
    }
  }

  @Command(name = "decline-introduction", mixinStandardHelpOptions = true,
      description = "Decline introduction ID (the other side learns only that it closed).")
  static final class DeclineIntroduction implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(paramLabel = "ID", description = "The introduction (see 'introductions').")
    String id;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null)) {
          IntroductionRequest r = find(p, id);
          r.decline();
          PrintWriter out = peer.spec.commandLine().getOut();
          out.println("declined: " + id);
          out.flush();
          flush(peer.contact(p, r.from()));
          return ExitCodes.OK;
        }
      });
    }
  }
}
