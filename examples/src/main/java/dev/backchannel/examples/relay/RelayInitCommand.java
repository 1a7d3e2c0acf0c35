package dev.backchannel.examples.relay;

import dev.backchannel.examples.cli.ExitCodes;
import dev.backchannel.examples.cli.PrivateFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relay init --data DIR [--force]}: writes {@code DIR/relay.toml}, a commented config file
 * holding every option of the relay with its default, and prints {@code config: FILE}. The
 * directory is created owner-only. An existing file is kept (exit 2) unless {@code --force}.
 */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = "Write a commented config file with every relay option (DIR/" + RelayConfigFile.NAME + ").")
public final class RelayInitCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "Data directory the config file is written into (and names); created if missing, owner-only.")
  Path data;

  @Option(names = "--force", description = "Replace an existing config file.")
  boolean force;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Path file = data.resolve(RelayConfigFile.NAME);
    try {
      PrivateFiles.createDirectories(data);
      if (Files.exists(file) && !force) {
        err.println("error: " + file + " exists already (--force replaces it)");
        err.flush();
        return ExitCodes.BAD_INPUT;
      }
      PrivateFiles.write(file, RelayConfigFile.template(data));
    } catch (IOException e) {
      err.println("error: cannot write " + file + ": " + e.getMessage());
      err.flush();
      return ExitCodes.FAILURE;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("config: " + file);
    out.flush();
    return ExitCodes.OK;
  }
}
