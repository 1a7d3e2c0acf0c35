package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.examples.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Help and usage errors through the real command line ({@link Main#commandLine()}), in process:
 * {@code --help} and {@code help COMMAND…} at every level without other options, a description
 * on every positional parameter, {@code --verbose} everywhere, one {@code error:} line and the
 * documented exit code for each usage error.
 */
class CliHelpTest {
  /** The result of one command. */
  record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** The name path of every command below the root, e.g. [peer, invite]. */
  private static List<List<String>> allCommands() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(), new ArrayList<>(), paths);
    return paths;
  }

  private static void collect(CommandLine c, List<String> path, List<List<String>> into) {
    for (var e : c.getSubcommands().entrySet()) {
      List<String> p = new ArrayList<>(path);
      p.add(e.getKey());
      into.add(p);
      collect(e.getValue(), p, into);
    }
  }

  @Test
  void theTreeHasEveryCommand() {
    assertThat(allCommands()).contains(List.of("demo"), List.of("relay"), List.of("verify"),
        List.of("help"), List.of("peer", "invite"), List.of("peer", "accept"), List.of("peer", "send"),
        List.of("peer", "receive"), List.of("peer", "contacts"), List.of("peer", "verify"),
        List.of("peer", "chat"), List.of("peer", "introduce"), List.of("peer", "introductions"),
        List.of("peer", "accept-introduction"), List.of("peer", "decline-introduction"),
        List.of("peer", "propose"), List.of("peer", "agreements"), List.of("peer", "sign"),
        List.of("peer", "reject"), List.of("peer", "export"), List.of("peer", "fingerprint"));
  }

  @Test
  void helpWorksAtEveryLevelWithoutOtherOptions() {
    assertThat(run("--help").out()).startsWith("Usage: backchannel ");
    for (List<String> path : allCommands()) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Run r = run(args.toArray(String[]::new));
      assertThat(r.exit()).as("%s --help: %s", path, r.err()).isZero();
      assertThat(r.err()).as("%s --help", path).isEmpty();
      assertThat(r.out()).as("%s --help", path)
          .startsWith("Usage: backchannel " + String.join(" ", path));
    }
  }

  @Test
  void theHelpCommandPrintsTheSameAsHelpOptions() {
    assertThat(run("help").out()).isEqualTo(run("--help").out());
    for (List<String> path : allCommands()) {
      List<String> viaCommand = new ArrayList<>(List.of("help"));
      viaCommand.addAll(path);
      List<String> viaOption = new ArrayList<>(path);
      viaOption.add("--help");
      Run r = run(viaCommand.toArray(String[]::new));
      assertThat(r.exit()).as("help %s", path).isZero();
      assertThat(r.out()).as("help %s", path).isEqualTo(run(viaOption.toArray(String[]::new)).out());
    }
  }

  @Test
  void helpForAnUnknownCommandIsAUsageError() {
    Run r = run("help", "peer", "nope");
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).isEqualTo("error: unknown command 'nope' for 'backchannel peer' (see --help)\n");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void everyPositionalParameterHasADescription() {
    List<CommandLine> all = new ArrayList<>();
    all.add(Main.commandLine());
    for (int i = 0; i < all.size(); i++) {
      all.addAll(all.get(i).getSubcommands().values());
    }
    int positionals = 0;
    for (CommandLine c : all) {
      for (PositionalParamSpec p : c.getCommandSpec().positionalParameters()) {
        positionals++;
        assertThat(String.join(" ", p.description()))
            .as("%s %s", c.getCommandSpec().qualifiedName(), p.paramLabel()).isNotBlank();
      }
    }
    assertThat(positionals).isGreaterThanOrEqualTo(7);
  }

  @Test
  void verboseIsAcceptedAtEveryLevel() {
    assertThat(run("--verbose", "--help").exit()).isZero();
    for (List<String> path : allCommands()) {
      List<String> args = new ArrayList<>(path);
      args.add("--verbose");
      args.add("--help");
      Run r = run(args.toArray(String[]::new));
      assertThat(r.exit()).as("%s --verbose: %s", path, r.err()).isZero();
      assertThat(r.out()).as("%s", path).contains("--verbose");
    }
  }

  @Test
  void aPeerCommandWithoutStateIsOneErrorLineAndExit2() {
    Run r = run("peer", "send", "bob", "hi");
    assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(r.err()).isEqualTo("error: Missing required option: '--state=DIR' (see --help)\n");
  }

  @Test
  void usageErrorsOfVerifyHaveTheirOwnCodeAndPeerUsageErrorsKeep2() {
    Run missing = run("verify");
    assertThat(missing.exit()).isEqualTo(ExitCodes.VERIFY_USAGE).isEqualTo(64);
    assertThat(missing.err()).startsWith("error: Missing required parameter: 'FILE'");
    assertThat(run("verify", "a.bcagree", "--bogus").exit()).isEqualTo(64);
    Run peer = run("peer", "--state", "x", "verify");
    assertThat(peer.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(peer.err()).startsWith("error: Missing required parameter: 'NAME'");
    assertThat(run("peer", "--state", "x", "receive", "--timeout", "soon").exit()).isEqualTo(2);
  }

  @Test
  void exitCodesAreDistinct() {
    assertThat(List.of(ExitCodes.OK, ExitCodes.FAILURE, ExitCodes.BAD_INPUT, ExitCodes.RELAY,
        ExitCodes.UNTRUSTED_RELAY, ExitCodes.STATE_LOCKED, ExitCodes.PASSPHRASE,
        ExitCodes.RELAY_DATA_IN_USE, ExitCodes.VERIFY_USAGE)).doesNotHaveDuplicates()
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 64);
  }
}
