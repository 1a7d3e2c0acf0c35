package dev.backchannel.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code backchannel help [COMMAND…]}: prints the help of a command at any depth
 * ({@code help peer invite} is {@code peer invite --help}), or of {@code backchannel} itself. It
 * needs no other option: the {@code --state} of {@code peer} is not asked for. An unknown
 * command is a usage error (exit 2).
 *
 * @since 0.1
 */
@Command(name = "help", helpCommand = true,
    description = "Print the help of COMMAND (for example: help peer invite), or of backchannel.")
public final class HelpCommand implements Callable<Integer> {
  @Parameters(paramLabel = "COMMAND", arity = "0..*",
      description = "The command and its subcommands, as typed before --help.")
  List<String> path = new ArrayList<>();

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    CommandLine self = spec.commandLine();
    CommandLine target = self.getParent() == null ? self : self.getParent();
    for (String name : path) {
      CommandLine next = target.getSubcommands().get(name);
      if (next == null) {
        throw new ParameterException(self, "unknown command '" + name + "' for '"
            + target.getCommandSpec().qualifiedName() + "'");
      }
      target = next;
    }
    target.usage(self.getOut());
    self.getOut().flush();
    return ExitCodes.OK;
  }
}
