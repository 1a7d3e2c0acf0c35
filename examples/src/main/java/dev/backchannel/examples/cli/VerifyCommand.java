package dev.backchannel.examples.cli;

import dev.backchannel.crypto.agreement.Agreements;
import dev.backchannel.crypto.agreement.Verification;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code backchannel verify FILE [--text F]}: checks an agreement file (binary or armored) offline,
 * with no state and no relay (PROTOCOL.md, "Agreements").
 *
 * <p>Output and exit code: {@code valid: TITLE} then one {@code signed-by: FINGERPRINT LABEL} line
 * per party, exit 0; {@code invalid: REASON}, exit 1 (a changed byte, a text that does not match,
 * a failing signature, a malformed or unreadable file); {@code incomplete: REASON}, exit 2, when
 * a party has not signed; a wrong command line (missing FILE, unknown option) exits
 * {@link ExitCodes#VERIFY_USAGE}. FINGERPRINT is the party's identity fingerprint in lowercase hex. When
 * no text was given or embedded, a note on stderr says that only the text's hash was checked.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCodes.VERIFY_USAGE,
    description = "Verify an agreement file offline: exit 0 valid, 1 invalid, 2 incomplete"
        + " (64 for a usage error).")
public final class VerifyCommand implements Callable<Integer> {
  /** Exit code of a complete agreement. */
  static final int VALID = 0;
  /** Exit code of an invalid or unreadable file. */
  static final int INVALID = 1;
  /** Exit code of an agreement that not every party has signed. */
  static final int INCOMPLETE = 2;

  /** Larger inputs are refused unread; the verifier's own limits are lower. */
  private static final long MAX_READ = 4L << 20;

  @Parameters(paramLabel = "FILE", description = "The agreement file (.bcagree, binary or armored).")
  Path file;

  @Option(names = "--text", paramLabel = "F",
      description = "The agreement text to check against the file (any line endings).")
  Path text;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      byte[] fileBytes = read(file);
      byte[] textBytes = text == null ? null : read(text);
      return report(Agreements.verify(fileBytes, textBytes), out);
    } catch (IOException e) {
      out.println("invalid: cannot read " + e.getMessage());
      return INVALID;
    } finally {
      out.flush();
    }
  }

  private int report(Verification v, PrintWriter out) {
    switch (v.status()) {
      case COMPLETE -> {
        out.println("valid: " + v.title());
        for (Verification.PartyStatus p : v.parties()) {
          out.println("signed-by: " + p.fingerprint().hex() + " " + p.label());
        }
        if (!v.textChecked()) {
          PrintWriter err = spec.commandLine().getErr();
          err.println("note: no text was given or embedded; the signed text hash is sha256:"
              + v.textSha256().map(h -> h.hex()).orElse("?") + " (check it with --text)");
          err.flush();
        }
        return VALID;
      }
      case OFFER -> {
        out.println("incomplete: " + v.reason());
        return INCOMPLETE;
      }
      default -> {
        out.println("invalid: " + v.reason());
        return INVALID;
      }
    }
  }

  private static byte[] read(Path p) throws IOException {
    try {
      if (Files.size(p) > MAX_READ) {
        throw new IOException("larger than " + MAX_READ + " bytes");
      }
      return Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      throw new IOException(p + ": no such file");
    } catch (FileSystemException e) {
      throw new IOException(p + ": " + (e.getReason() != null ? e.getReason()
          : e.getClass().getSimpleName()));
    } catch (IOException e) {
      throw new IOException(p + ": " + e.getMessage());
    }
  }
}
