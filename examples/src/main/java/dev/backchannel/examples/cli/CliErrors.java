package dev.backchannel.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line's shared error conventions: one {@code error:} line (one JSON object of type
 * {@code error} on standard output under {@code peer --json}), stack traces only with
 * {@code --verbose}.
 *
 * @since 0.1
 */
public final class CliErrors {
  private CliErrors() {}

  /**
   * Prints a usage error as picocli does for its own checks, {@code error: MESSAGE (see --help)},
   * and returns the command's exit code for invalid input.
   */
  public static int usage(CommandLine cmd, String message) {
    int code = cmd.getCommandSpec().exitCodeOnInvalidInput();
    output(cmd).emit(new CliEvent.Failure(code, message + " (see --help)"));
    return code;
  }

  /**
   * Where {@code cmd} reports: the JSON lines of {@code peer --json} when {@code cmd} is {@code peer}
   * or below it and {@code --json} was parsed, the text form otherwise.
   */
  static Output output(CommandLine cmd) {
    for (CommandLine c = cmd; c != null; c = c.getParent()) {
      if (c.getCommand() instanceof PeerCommand peer) {
        return peer.output();
      }
    }
    return new TextOutput(cmd.getOut(), cmd.getErr());
  }

  /** Whether {@code --verbose} was given anywhere on the command line (it is inherited). */
  public static boolean verbose(CommandSpec spec) {
    OptionSpec o = spec.root().findOption("--verbose");
    return o != null && Boolean.TRUE.equals(o.getValue());
  }
}
