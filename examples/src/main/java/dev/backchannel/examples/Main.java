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
    subcommands = {DemoCommand.class, RelayCommand.class, PeerCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code. */
  public static int run(String... args) {
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

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
