package dev.backchannel.examples.cli;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.api.PeerBuilder;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.UnknownSessionException;
import io.nayuki.qrcodegen.QrCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code peer --state DIR <command>}: one party of Backchannel from the command line. Its state
 * directory holds the peer's durable state ({@code peer/}, which also keeps, sealed, what
 * {@code receive} has announced) and the relay it uses; it is created on first use, readable by
 * its owner only. {@code --state}
 * is checked when a command runs, so that {@code --help} needs no other option.
 */
@Command(name = "peer", mixinStandardHelpOptions = true,
    description = "Act as one party: invite, accept, send, receive, verify, introduce.",
    subcommands = {PeerCommand.Invite.class, PeerCommand.Accept.class, PeerCommand.Send.class,
        PeerCommand.Receive.class, PeerCommand.Contacts.class, PeerCommand.Verify.class,
        PeerCommand.Chat.class, IntroductionCommands.Introduce.class, IntroductionCommands.Introductions.class,
        IntroductionCommands.AcceptIntroduction.class, IntroductionCommands.DeclineIntroduction.class,
        AgreementCommands.Propose.class, AgreementCommands.Agreements.class, AgreementCommands.Sign.class,
        AgreementCommands.Reject.class, AgreementCommands.Export.class, AgreementCommands.Fingerprint.class})
public final class PeerCommand {
  @Option(names = "--state", paramLabel = "DIR",
      description = "State directory (required; created on first use, owner-only).")
  Path state;

  @Option(names = "--passphrase-env", paramLabel = "VAR",
      description = "Read the passphrase that encrypts the state from environment variable VAR.")
  String passphraseEnv;

  @Spec CommandSpec spec;

  private static final Duration RELAY_WAIT = Duration.ofSeconds(20);
  private static final Duration CONNECT_WAIT = Duration.ofSeconds(10);

  // ------------------------------------------------------------------ shared helpers

  private Path settingsFile() {
    return state.resolve("cli.properties");
  }

  private Optional<RelayAddress> savedRelay() throws IOException, MalformedInputException {
    if (!Files.exists(settingsFile())) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(settingsFile())) {
      p.load(in);
    }
    String r = p.getProperty("relay");
    return r == null ? Optional.empty() : Optional.of(RelayAddress.parse(r));
  }

  private void saveRelay(RelayAddress relay) throws IOException {
    PrivateFiles.createDirectories(state);
    Properties p = new Properties();
    p.setProperty("relay", relay.toString());
    Path tmp = state.resolve("cli.properties.tmp");
    java.io.StringWriter text = new java.io.StringWriter();
    p.store(text, "backchannel peer settings");
    Files.deleteIfExists(tmp);
    PrivateFiles.write(tmp, text.toString());
    Files.move(tmp, settingsFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Opens the peer on {@code relay}, or on the saved relay when null, and waits for the relay. */
  Peer open(RelayAddress relay) throws Exception {
    return open(relay, true);
  }

  /** Opens the peer; {@code needRelay} false for commands that only read local state. */
  Peer open(RelayAddress relay, boolean needRelay) throws Exception {
    return open(relay, needRelay ? CONNECT_WAIT : null);
  }

  /** Opens the peer and waits up to {@code relayWait} for the relay (null: does not wait). */
  Peer open(RelayAddress relay, Duration relayWait) throws Exception {
    RelayAddress r = relay;
    Optional<RelayAddress> saved = savedRelay();
    if (r == null) {
      r = saved.orElseThrow(() -> new UnknownSessionException(
          "this state has no relay yet: run 'invite --relay ADDR' or 'accept CODE' first"));
    } else if (saved.isPresent() && !saved.get().equals(r)) {
      throw new MalformedInputException("this state uses relay " + saved.get() + ", not " + r);
    }
    PeerBuilder b = Peer.builder().stateDirectory(state.resolve("peer")).relay(r);
    if (passphraseEnv != null) {
      String v = System.getenv(passphraseEnv);
      if (v == null || v.isEmpty()) {
        throw new MalformedInputException("environment variable " + passphraseEnv + " is not set");
      }
      b.passphrase(v.toCharArray());
    }
    Peer peer = b.build();
    if (relayWait != null) {
      try {
        peer.awaitRelay(relayWait);
      } catch (Exception e) {
        peer.close();
        throw e;
      }
    }
    if (saved.isEmpty()) {
      saveRelay(r);
    }
    return peer;
  }

  Conversation contact(Peer peer, String name) throws UnknownSessionException {
    return peer.conversation(name).orElseThrow(() ->
        new UnknownSessionException("no contact named '" + name + "' (see 'contacts')"));
  }

  /** The contacts {@code receive} has announced (in the sealed state). */
  Announcements announcedContacts(Peer p) {
    return new Announcements(p, "cli.announced-contacts", state.resolve("announced.txt"));
  }

  void announce(Peer p, Conversation c, PrintWriter out) throws Exception {
    out.println("contact: " + c.name() + " safety-number: " + c.safetyNumber().formatted()
        + IntroductionCommands.introducedBy(c));
    out.flush();
    announcedContacts(p).add(c.name());
  }

  /** Runs {@code body} and turns failures into one {@code error:} line and an exit code. */
  int run(Callable<Integer> body) {
    if (state == null) {
      return CliErrors.usage(spec.commandLine(), "Missing required option: '--state=DIR'");
    }
    try {
      return body.call();
    } catch (Throwable e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      PrintWriter err = spec.commandLine().getErr();
      err.println("error: " + ExitCodes.advice(cause));
      if (CliErrors.verbose(spec)) {
        cause.printStackTrace(err);
      }
      err.flush();
      return ExitCodes.of(cause);
    }
  }

  // ------------------------------------------------------------------ commands

  @Command(name = "invite", mixinStandardHelpOptions = true,
      description = "Make an invitation; the contact who accepts it will be called NAME.")
  static final class Invite implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Option(names = "--relay", required = true, description = "Relay address bcr://<key hash>@host:port.")
    String relay;

    @Option(names = "--label", required = true, description = "Name for the contact who accepts.")
    String label;

    @Option(names = "--qr", description = "Also print the invitation as a QR code.")
    boolean qr;

    @Option(names = "--valid-hours", defaultValue = "24", description = "Validity in hours (default ${DEFAULT-VALUE}, at most 720).")
    int hours;

    @Override
    public Integer call() {
      return peer.run(() -> {
        RelayAddress address = RelayAddress.parse(relay);
        if (hours < 1 || hours > 720) {
          throw new MalformedInputException("--valid-hours must be 1..720");
        }
        try (Peer p = peer.open(address)) {
          Invitation inv = p.createInvitation(label, Duration.ofHours(hours));
          PrintWriter out = peer.spec.commandLine().getOut();
          out.println("invitation: " + inv.toCompactString());
          if (qr) {
            out.print(renderQr(inv.toCompactString()));
          }
          out.flush();
          return ExitCodes.OK;
        }
      });
    }
  }

  /** The QR code in the terminal, two modules per character row, with a quiet zone. */
  static String renderQr(String text) {
    QrCode q = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
    StringBuilder b = new StringBuilder();
    int border = 2;
    for (int y = -border; y < q.size + border; y += 2) {
      for (int x = -border; x < q.size + border; x++) {
        boolean top = q.getModule(x, y);
        boolean bottom = q.getModule(x, y + 1);
        b.append(top ? (bottom ? ' ' : '\u2584') : (bottom ? '\u2580' : '\u2588'));
      }
      b.append('\n');
    }
    return b.toString();
  }

  @Command(name = "accept", mixinStandardHelpOptions = true, description = "Accept an invitation.")
  static final class Accept implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(paramLabel = "CODE", description = "The invitation (bc1-…).")
    String code;

    @Option(names = "--name", required = true, description = "Name for the inviter.")
    String name;

    @Override
    public Integer call() {
      return peer.run(() -> {
        Invitation inv = Invitation.parse(code);
        try (Peer p = peer.open(inv.relay())) {
          Conversation c = p.accept(inv, name);
          peer.announce(p, c, peer.spec.commandLine().getOut());
          return ExitCodes.OK;
        }
      });
    }
  }

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
          Conversation c = peer.contact(p, name);
          // Before the contact has answered, the message travels behind the handshake.
          try {
            c.send(text).get(RELAY_WAIT.toSeconds(), TimeUnit.SECONDS);
          } catch (TimeoutException e) {
            throw new RelayUnavailableException(
                "the relay did not confirm in time; the message stays in the outbox and goes out on the next run");
          }
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
          PrintWriter out = peer.spec.commandLine().getOut();
          int got = 0;
          while (count < 0 || got < count) {
            Set<String> seen = peer.announcedContacts(p).read();
            IntroductionCommands.announceRequests(peer, p, out);
            AgreementCommands.announce(peer, p, out);
            boolean any = false;
            for (Conversation c : p.conversations()) {
              if (!seen.contains(c.name())) {
                peer.announce(p, c, out);
              }
              Optional<Message> m;
              while ((count < 0 || got < count) && (m = c.poll()).isPresent()) {
                out.println(c.name() + ": " + m.get().text());
                out.flush();
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
  }

  @Command(name = "contacts", mixinStandardHelpOptions = true, description = "List contacts.")
  static final class Contacts implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null, false)) {
          PrintWriter out = peer.spec.commandLine().getOut();
          for (Conversation c : p.conversations()) {
            out.println(c.name() + " safety-number: " + c.safetyNumber().formatted() + " "
                + (c.isVerified() ? "verified" : "unverified") + IntroductionCommands.introducedBy(c));
          }
          out.flush();
          return ExitCodes.OK;
        }
      });
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Mark NAME verified, after comparing the safety number with them.")
  static final class Verify implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(paramLabel = "NAME", description = "The contact whose safety number you compared.")
    String name;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null, false)) {
          peer.contact(p, name).markVerified();
          peer.spec.commandLine().getOut().println("verified: " + name);
          peer.spec.commandLine().getOut().flush();
          return ExitCodes.OK;
        }
      });
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
          PrintWriter out = peer.spec.commandLine().getOut();
          c.onMessage(m -> {
            synchronized (out) {
              out.println(name + ": " + m.text());
              out.flush();
            }
          });
          BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
          String line;
          while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
              continue;
            }
            try {
              c.send(line).get(RELAY_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
              Throwable cause = e.getCause() != null ? e.getCause() : e;
              synchronized (out) {
                out.println("(not yet confirmed by the relay: " + ExitCodes.advice(cause) + ")");
                out.flush();
              }
            }
          }
          Thread.sleep(500); // let late messages print
          return ExitCodes.OK;
        }
      });
    }
  }
}
