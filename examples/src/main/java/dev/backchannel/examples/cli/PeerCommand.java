package dev.backchannel.examples.cli;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.PeerBuilder;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.UnknownSessionException;
import io.nayuki.qrcodegen.QrCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
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
 *
 * <p>What a command reports goes through one {@link Output}: the text form by default (a fixed
 * contract, byte for byte), or one JSON object per line with {@code --json} (docs/CLI-JSON.md),
 * errors included, with the same exit codes ({@link ExitCodes}).
 */
@Command(name = "peer", mixinStandardHelpOptions = true,
    description = "Act as one party: invite, accept, send, receive, verify, introduce.",
    subcommands = {PeerCommand.Invite.class, PeerCommand.Accept.class, MessageCommands.Send.class,
        MessageCommands.Receive.class, PeerCommand.Contacts.class, PeerCommand.Verify.class,
        MessageCommands.Chat.class, DaemonCommand.class, IntroductionCommands.Introduce.class, IntroductionCommands.Introductions.class,
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

  @Option(names = "--admission-secret-file", paramLabel = "FILE",
      description = "File holding the relay's admission secret (the relay's --admission-secret-file):"
          + " needed to create mailboxes and invitations on a relay that requires one.")
  Path admissionSecretFile;

  @Option(names = "--json",
      description = "Print one JSON object per line (NDJSON), errors included, instead of text.")
  boolean json;

  @Spec CommandSpec spec;

  private static final Duration CONNECT_WAIT = Duration.ofSeconds(10);

  private Output output;

  // ------------------------------------------------------------------ shared helpers

  private Path settingsFile() {
    return state.resolve("cli.properties");
  }

  Optional<RelayAddress> savedRelay() throws IOException, MalformedInputException {
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
    if (admissionSecretFile != null) {
      byte[] secret = readAdmissionSecret();
      try {
        b.homeRelayAdmissionSecret(secret);
      } catch (IllegalArgumentException e) {
        throw new MalformedInputException(admissionSecretFile + ": " + e.getMessage());
      } finally {
        java.util.Arrays.fill(secret, (byte) 0);
      }
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

  private byte[] readAdmissionSecret() throws MalformedInputException {
    try {
      return dev.backchannel.examples.SecretFile.read(admissionSecretFile);
    } catch (IOException e) {
      throw new MalformedInputException("cannot read the admission secret file " + admissionSecretFile
          + ": " + e.getClass().getSimpleName());
    }
  }

  Conversation contact(Peer peer, String name) throws UnknownSessionException {
    return PeerActions.contact(peer, name);
  }

  /** Where this command's events go: text, or JSON lines with {@code --json}. */
  synchronized Output output() {
    if (output == null) {
      output = json ? new JsonOutput(spec.commandLine().getOut())
          : new TextOutput(spec.commandLine().getOut(), spec.commandLine().getErr());
    }
    return output;
  }

  /** The contacts {@code receive} has announced (in the sealed state). */
  Announcements announcedContacts(Peer p) {
    return new Announcements(p, "cli.announced-contacts", state.resolve("announced.txt"));
  }

  /** Reports {@code c} as a new contact and records that it was announced. */
  void announce(Peer p, Conversation c) throws Exception {
    output().emit(CliEvent.Contact.of(c, true));
    announcedContacts(p).add(c.name());
  }

  /** Runs {@code body} and turns failures into one {@code error:} line (or JSON object) and an exit code. */
  int run(Callable<Integer> body) {
    if (state == null) {
      return CliErrors.usage(spec.commandLine(), "Missing required option: '--state=DIR'");
    }
    try {
      return body.call();
    } catch (Throwable e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      int code = ExitCodes.of(cause);
      output().emit(new CliEvent.Failure(code, ExitCodes.advice(cause)));
      if (CliErrors.verbose(spec)) {
        PrintWriter err = spec.commandLine().getErr();
        cause.printStackTrace(err);
        err.flush();
      }
      return code;
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
          peer.output().emit(PeerActions.invite(p, label, hours, qr));
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
          CliEvent.Contact c = PeerActions.accept(p, inv, name);
          peer.output().emit(c);
          peer.announcedContacts(p).add(c.name());
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
          PeerActions.contacts(p).forEach(peer.output()::emit);
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
          peer.output().emit(PeerActions.verify(p, name));
          return ExitCodes.OK;
        }
      });
    }
  }
}
