package dev.backchannel.examples.cli;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.api.error.MalformedInputException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/**
 * The message commands of {@code peer}: {@code send}, {@code receive} and {@code chat}. The text
 * form's lines are a fixed contract: {@code CONTACT: TEXT} per message, and {@code receive} also
 * prints new contacts, introductions and agreement statuses, each exactly once across runs.
 * With {@code --json}, {@code send} reports the message's sequence number and {@code receive}
 * also reports gaps and deliveries seen while it runs (the text form prints neither).
 */
final class MessageCommands {
  private MessageCommands() {}

  @Command(name = "send", mixinStandardHelpOptions = true,
      description = "Send TEXT to contact NAME; exits 0 once the relay holds it durably.")
  static final class Send implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(index = "0", paramLabel = "NAME", description = "The contact to write to (see 'contacts').")
    String name;

    @Parameters(index = "1", paramLabel = "TEXT", description = "The message (quote it; at most 64 KiB).")
    String text;

    @Override
    public Integer call() {
      return peer.run(() -> {
        // The message is stored before the relay is reached: if the relay is down, it stays in
        // the outbox and goes out on the next run.
        try (Peer p = peer.open(null, false)) {
          peer.output().emit(PeerActions.send(p, name, text));
          return ExitCodes.OK;
        }
      });
    }
  }

  @Command(name = "receive", mixinStandardHelpOptions = true,
      description = "Print new contacts and messages, each exactly once across runs.")
  static final class Receive implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Option(names = "--timeout", defaultValue = "10",
        description = "Seconds to wait in all, connecting to the relay included (default ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--count", defaultValue = "-1", description = "Exit after this many messages.")
    int count;

    @Override
    public Integer call() {
      return peer.run(() -> {
        if (timeout < 0) {
          throw new MalformedInputException("--timeout must not be negative");
        }
        // The deadline covers opening and connecting too; at least a second to connect.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        try (Peer p = peer.open(null, Duration.ofSeconds(Math.max(1, timeout)))) {
          Output out = peer.output();
          Set<String> watched = new HashSet<>();
          int got = 0;
          while (count < 0 || got < count) {
            Set<String> seen = peer.announcedContacts(p).read();
            IntroductionCommands.announceRequests(peer, p, out);
            AgreementCommands.announce(peer, p, out);
            boolean any = false;
            for (Conversation c : p.conversations()) {
              if (!seen.contains(c.name())) {
                peer.announce(p, c);
              }
              if (watched.add(c.name())) {
                watch(c, out);
              }
              Optional<Message> m;
              while ((count < 0 || got < count) && (m = c.poll()).isPresent()) {
                out.emit(CliEvent.Received.of(m.get()));
                got++;
                any = true;
              }
            }
            if (System.nanoTime() > deadline) {
              break;
            }
            if (!any) {
              Thread.sleep(100);
            }
          }
          return ExitCodes.OK;
        }
      });
    }

    /** Reports {@code c}'s gaps and deliveries (JSON only: the text form has no line for them). */
    private static void watch(Conversation c, Output out) {
      String name = c.name();
      c.onGap(g -> out.emit(new CliEvent.GapSeen(name, g.from(), g.to())));
      c.onDelivered(seq -> out.emit(new CliEvent.Delivery(name, seq)));
    }
  }

  @Command(name = "chat", mixinStandardHelpOptions = true,
      description = "Interactive chat with NAME: each line you type is sent; incoming lines appear as they arrive.")
  static final class Chat implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(paramLabel = "NAME", description = "The contact to chat with.")
    String name;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null)) {
          Conversation c = peer.contact(p, name);
          Output out = peer.output();
          c.onMessage(m -> out.emit(CliEvent.Received.of(m)));
          BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
          String line;
          while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
              continue;
            }
            try {
              c.send(line).get(PeerActions.RELAY_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
              Throwable cause = e.getCause() != null ? e.getCause() : e;
              out.emit(new CliEvent.Unconfirmed(ExitCodes.advice(cause)));
            }
          }
          Thread.sleep(500); // let late messages print
          return ExitCodes.OK;
        }
      });
    }
  }
}
