package dev.backchannel.examples;

import dev.backchannel.examples.cli.PeerCommand;
import dev.backchannel.examples.demo.DemoCommand;
import dev.backchannel.examples.relay.RelayCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code backchannel.jar}: one subcommand per tool. */
@Command(
    name = "backchannel",
    mixinStandardHelpOptions = true,
    version = "backchannel 0.1.0-SNAPSHOT",
    description = "Secret two-party channels through a relay that cannot read them.",
    subcommands = {DemoCommand.class, RelayCommand.class, PeerCommand.class,
        dev.backchannel.examples.cli.VerifyCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code. */
  public static int run(String... args) {
    quietLogsForPeerCommands(args);
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("error: " + e.getMessage());
      return 1;
    });
    cl.setParameterExceptionHandler((e, a) -> {
      e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see --help)");
      return 2;
    });
    return cl.execute(args);
  }

  /**
   * The peer commands and the demo promise one {@code error:} line on stderr: their library logs
   * are kept to errors unless {@code --verbose}. The relay node keeps its INFO log.
   */
  private static void quietLogsForPeerCommands(String... args) {
    boolean peerOrDemo = args.length > 0 && (args[0].equals("peer") || args[0].equals("demo"));
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
