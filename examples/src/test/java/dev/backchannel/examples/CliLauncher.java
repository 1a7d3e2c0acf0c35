package dev.backchannel.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts {@code backchannel} in its own process for a test: the test run's
 * class path, or the runnable jar when the system property {@value #JAR_PROPERTY} names it (the
 * {@code verify} phase reruns the CLI tests that way, so a class the jar's filters dropped fails a
 * test).
 */
public final class CliLauncher {
  /** Names the runnable jar to test instead of the class path. */
  public static final String JAR_PROPERTY = "backchannel.cli.jar";

  private CliLauncher() {}

  /** {@code java … backchannel args…}, as a mutable list. */
  public static List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Each CLI run is a short-lived JVM: the client compiler alone and the serial collector
    // halve the CPU a run costs, which is most of what these tests spend on two cores.
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-XX:+UseSerialGC");
    String jar = System.getProperty(JAR_PROPERTY);
    if (jar != null && !jar.isBlank()) {
      cmd.add("-jar");
      cmd.add(jar);
    } else {
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(Main.class.getName());
    }
    cmd.addAll(args);
    return cmd;
  }

  /** {@code java … backchannel args…}, as a mutable list. */
  public static List<String> command(String... args) {
    return command(List.of(args));
  }

  /** A process builder for {@code backchannel args…}. */
  public static ProcessBuilder processBuilder(String... args) {
    return new ProcessBuilder(command(args));
  }
}
