package dev.backchannel.examples.cli;

import dev.backchannel.api.Agreement;
import dev.backchannel.api.AgreementStatus;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.error.AgreementClosedException;
import dev.backchannel.api.error.MalformedInputException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/**
 * The agreement commands of {@code peer}: {@code propose}, {@code agreements}, {@code sign},
 * {@code reject} and {@code export}, and the lines {@code receive} prints when an agreement
 * arrives or changes. Their words are a fixed contract (scripts read them):
 * {@code agreement: ID with: CONTACT title: T status: STATUS}, STATUS one of {@code proposed},
 * {@code awaiting-signature}, {@code complete}, {@code rejected}.
 */
final class AgreementCommands {
  private static final long SIGN_WAIT_SECONDS = 30;

  private AgreementCommands() {}

  /** The status word of the fixed contract. */
  static String word(AgreementStatus s) {
    return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** What {@code receive} has printed of agreement statuses: {@code ID STATUS} lines. */
  static Announcements announced(PeerCommand peer, Peer p) {
    return new Announcements(p, "cli.announced-agreements",
        peer.state.resolve("announced-agreements.txt"));
  }

  /** Prints each agreement whose status was not printed by an earlier run (for {@code receive}). */
  static void announce(PeerCommand peer, Peer p, Output out) throws Exception {
    Announcements seen = announced(peer, p);
    Set<String> done = seen.read();
    for (Agreement a : p.agreements()) {
      String key = a.id() + " " + word(a.status());
      if (!done.contains(key)) {
        out.emit(CliEvent.AgreementState.of(a, false));
        seen.add(key);
      }
    }
  }

  /** Proposes an agreement to {@code contact} and waits a while for it to reach the relay. */
  static CliEvent.AgreementState propose(Peer p, String contact, String title, String text, String label)
      throws Exception {
    Conversation c = PeerActions.contact(p, contact);
    Agreement a = c.propose(title, text, label, java.time.Instant.parse("9999-12-31T23:59:59Z"));
    IntroductionCommands.flush(c);
    return CliEvent.AgreementState.of(a, true);
  }

  /** Signs agreement {@code id}, directly or in escrow with contact {@code escrow} (may be null). */
  static CliEvent.Signed sign(Peer p, String id, String escrow) throws Exception {
    Agreement a = find(p, id);
    (escrow == null ? a.sign() : a.signInEscrow(PeerActions.contact(p, escrow))).get(SIGN_WAIT_SECONDS, TimeUnit.SECONDS);
    return new CliEvent.Signed(a.id(), word(a.status()));
  }

  /** Rejects agreement {@code id} and tells the contact. */
  static CliEvent.Rejected reject(Peer p, String id) throws Exception {
    Agreement a = find(p, id);
    a.reject().get(SIGN_WAIT_SECONDS, TimeUnit.SECONDS);
    return new CliEvent.Rejected(a.id());
  }

  /** Writes agreement {@code id} to {@code out}, armored if its name ends in {@code .asc}. */
  static CliEvent.Exported export(Peer p, String id, Path out) throws Exception {
    Agreement a = find(p, id);
    byte[] file = out.getFileName().toString().endsWith(".asc")
        ? a.exportArmored().getBytes(StandardCharsets.US_ASCII) : a.export();
    Files.write(out, file);
    return new CliEvent.Exported(a.id(), word(a.status()), out.toString());
  }

  /** Every agreement, as {@code agreements} lists them. */
  static List<CliEvent.AgreementState> all(Peer p) {
    return p.agreements().stream().map(a -> CliEvent.AgreementState.of(a, false)).toList();
  }

  /** This peer's identity fingerprint. */
  static CliEvent.Fingerprint fingerprint(Peer p) {
    return new CliEvent.Fingerprint(java.util.HexFormat.of().formatHex(p.fingerprint()));
  }

  static Agreement find(Peer p, String id) throws AgreementClosedException {
    return p.agreement(id).orElseThrow(() ->
        new AgreementClosedException("no agreement " + id + " (see 'agreements')"));
  }

  /** Reads {@code file} as strict UTF-8. */
  static String readText(Path file) throws MalformedInputException {
    try {
      byte[] bytes = Files.readAllBytes(file);
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new MalformedInputException("the text file is not UTF-8: " + file);
    } catch (IOException e) {
      throw new MalformedInputException("cannot read the text file " + file + ": " + e.getMessage());
    }
  }

  @Command(name = "propose", mixinStandardHelpOptions = true,
      description = "Propose an agreement to CONTACT; nothing is signed until both sign.")
  static final class Propose implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(paramLabel = "CONTACT", description = "The contact (see 'contacts').")
    String contact;

    @Option(names = "--title", required = true, description = "The title (at most 200 bytes, printable).")
    String title;

    @Option(names = "--text-file", required = true, description = "The agreement text, UTF-8 (at most 56 KiB).")
    Path textFile;

    @Option(names = "--as", defaultValue = "proposer",
        description = "Your label in the signed terms (default ${DEFAULT-VALUE}); the contact's is its name here.")
    String label;

    @Override
    public Integer call() {
      return peer.run(() -> {
        String text = readText(textFile);
        try (Peer p = peer.open(null)) {
          peer.output().emit(propose(p, contact, title, text, label));
          return ExitCodes.OK;
        }
      });
    }
  }

  @Command(name = "agreements", mixinStandardHelpOptions = true,
      description = "List agreements: proposed, awaiting-signature (yours), complete or rejected.")
  static final class Agreements implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null, false)) {
          all(p).forEach(peer.output()::emit);
          return ExitCodes.OK;
        }
      });
    }
  }

  @Command(name = "sign", mixinStandardHelpOptions = true,
      description = "Sign agreement ID with your identity and send the signature to the contact.")
  static final class Sign implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(paramLabel = "ID", description = "The agreement (see 'agreements').")
    String id;

    @Option(names = "--escrow", paramLabel = "CONTACT",
        description = "Deposit the signature with CONTACT, a third party both know, who releases both signatures together.")
    String escrow;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null)) {
          peer.output().emit(sign(p, id, escrow));
          return ExitCodes.OK;
        }
      });
    }
  }

  @Command(name = "reject", mixinStandardHelpOptions = true,
      description = "Reject agreement ID and tell the contact (a signature you gave stays with it).")
  static final class Reject implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(paramLabel = "ID", description = "The agreement (see 'agreements').")
    String id;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null)) {
          peer.output().emit(reject(p, id));
          return ExitCodes.OK;
        }
      });
    }
  }

  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write agreement ID to FILE (armored if FILE ends in .asc), for 'backchannel verify'.")
  static final class Export implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Parameters(paramLabel = "ID", description = "The agreement (see 'agreements').")
    String id;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the file.")
    Path out;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null, false)) {
          peer.output().emit(export(p, id, out));
          return ExitCodes.OK;
        }
      });
    }
  }

  @Command(name = "fingerprint", mixinStandardHelpOptions = true,
      description = "Print your identity fingerprint, as 'backchannel verify' shows it in signed-by lines.")
  static final class Fingerprint implements Callable<Integer> {
    @ParentCommand PeerCommand peer;

    @Override
    public Integer call() {
      return peer.run(() -> {
        try (Peer p = peer.open(null, false)) {
          peer.output().emit(fingerprint(p));
          return ExitCodes.OK;
        }
      });
    }
  }
}
