package dev.backchannel.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line's shared error conventions: one {@code error:} line, stack traces only with
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
    cmd.getErr().println("error: " + message + " (see --help)");
    cmd.getErr().flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** Whether {@code --verbose} was given anywhere on the command line (it is inherited). */
  public static boolean verbose(CommandSpec spec) {
    OptionSpec o = spec.root().findOption("--verbose");
    return o != null && Boolean.TRUE.equals(o.getValue());
  }
}
