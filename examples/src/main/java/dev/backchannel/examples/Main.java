package dev.backchannel.examples;

import dev.backchannel.examples.cli.CliErrors;
import dev.backchannel.examples.cli.ExitCodes;
import dev.backchannel.examples.cli.HelpCommand;
import dev.backchannel.examples.cli.PeerCommand;
import dev.backchannel.examples.cli.VerifyCommand;
import dev.backchannel.examples.demo.DemoCommand;
import dev.backchannel.examples.relay.RelayCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Entry point of {@code backchannel.jar}: one subcommand per tool, {@code help} for any of them.
 * {@code --help} works on every command without its other options; {@code --verbose} is
 * accepted everywhere (before or after the subcommand) and adds stack traces and logs.
 */
@Command(
    name = "backchannel",
    mixinStandardHelpOptions = true,
    version = "backchannel 0.1.0-SNAPSHOT",
    description = "Secret two-party channels through a relay that cannot read them.",
    subcommands = {DemoCommand.class, RelayCommand.class, PeerCommand.class,
        VerifyCommand.class, HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Print stack traces on errors, and library logs.")
  boolean verbose;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code. */
  public static int run(String... args) {
    quietLogsForPeerCommands(args);
    return commandLine().execute(args);
  }

  /**
   * The command line with its error handling: a usage error is one {@code error:} line and the
   * command's code for invalid input ({@link ExitCodes#BAD_INPUT}, or
   * {@link ExitCodes#VERIFY_USAGE} for {@code verify}); an unexpected failure is one line and
   * {@link ExitCodes#FAILURE}.
   */
  public static CommandLine commandLine() {
    Main main = new Main();
    CommandLine cl = new CommandLine(main);
    RelayCommand.addSettingOptions(cl.getSubcommands().get("relay").getCommandSpec());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("error: " + e.getMessage());
      if (main.verbose) {
        e.printStackTrace(cmd.getErr());
      }
      cmd.getErr().flush();
      return ExitCodes.FAILURE;
    });
    cl.setParameterExceptionHandler((e, a) -> {
      return CliErrors.usage(e.getCommandLine(), e.getMessage());
    });
    return cl;
  }

  /**
   * The peer commands and the demo promise one {@code error:} line on stderr: their library logs
   * are kept to errors unless {@code --verbose}. The relay node keeps its INFO log.
   */
  private static void quietLogsForPeerCommands(String... args) {
    boolean peerOrDemo = java.util.Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst()
        .map(a -> a.equals("peer") || a.equals("demo")).orElse(false);
    boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
    if (peerOrDemo && !verbose
        && org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
            instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(ch.qos.logback.classic.Level.OFF);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
