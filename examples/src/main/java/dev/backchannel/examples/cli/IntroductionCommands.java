package dev.backchannel.examples.cli;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Introduction;
import dev.backchannel.api.IntroductionRequest;
import dev.backchannel.api.Peer;
import dev.backchannel.api.error.IntroductionClosedException;
import dev.backchannel.api.error.MalformedInputException;
import java.io.IOException;
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

  /** What {@code receive} has printed of the introductions proposed to this peer. */
  static Announcements announced(PeerCommand peer, Peer p) {
    return new Announcements(p, "cli.announced-introductions",
        peer.state.resolve("announced-introductions.txt"));
  }

  /** Prints each pending request not printed by an earlier run (for {@code receive}). */
  static void announceRequests(PeerCommand peer, Peer p, Output out) throws Exception {
    Announcements seen = announced(peer, p);
    Set<String> done = seen.read();
    for (IntroductionRequest r : p.introductionRequests()) {
      if (!done.contains(r.id())) {
        out.emit(CliEvent.IntroductionProposed.of(r));
        seen.add(r.id());
      }
    }
  }

  /** Introduces {@code first} and {@code second} ({@code hours} already checked) and waits for the relay. */
  static CliEvent.Introduced introduce(Peer p, String first, String second, String note, int hours)
      throws Exception {
    Conversation a = PeerActions.contact(p, first);
    Conversation b = PeerActions.contact(p, second);
    Introduction intro = p.introduce(a, b, note, Duration.ofHours(hours));
    flush(a, b);
    return new CliEvent.Introduced(intro.id(), intro.first(), intro.second(), intro.expiresAt());
  }

  /** Accepts pending introduction {@code id}; the party introduced will be called {@code name}. */
  static CliEvent.IntroductionAnswered accept(Peer p, String id, String name) throws Exception {
    IntroductionRequest r = find(p, id);
    r.accept(name);
    flush(PeerActions.contact(p, r.from()));
    return new CliEvent.IntroductionAnswered(id, true, name);
  }

  /** Declines pending introduction {@code id}. */
  static CliEvent.IntroductionAnswered decline(Peer p, String id) throws Exception {
    IntroductionRequest r = find(p, id);
    r.decline();
    flush(PeerActions.contact(p, r.from()));
    return new CliEvent.IntroductionAnswered(id, false, null);
  }

  /** The pending requests, as {@code introductions} lists them. */
  static List<CliEvent.IntroductionProposed> pending(Peer p) {
    return p.introductionRequests().stream().map(CliEvent.IntroductionProposed::of).toList();
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
          peer.output().emit(introduce(p, first, second, note, hours));
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
          pending(p).forEach(peer.output()::emit);
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
          peer.output().emit(accept(p, id, name));
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
          peer.output().emit(decline(p, id));
          return ExitCodes.OK;
        }
      });
    }
  }
}
