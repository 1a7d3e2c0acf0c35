package dev.backchannel.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar built by {@code package}: at most 30 MB, and it starts. The CLI integration
 * tests run against it too in the {@code verify} phase ({@link CliLauncher#JAR_PROPERTY}).
 */
class RunnableJarIT {
  private static final long MAX_BYTES = 30_000_000L;

  private static Path jar() {
    String jar = System.getProperty(CliLauncher.JAR_PROPERTY);
    assertThat(jar).as("system property %s", CliLauncher.JAR_PROPERTY).isNotBlank();
    return Path.of(jar);
  }

  @Test
  void isAtMostThirtyMegabytes() throws Exception {
    assertThat(Files.size(jar())).as("size of %s", jar()).isLessThanOrEqualTo(MAX_BYTES);
  }

  @Test
  void printsItsVersionFromTheJar() throws Exception {
    Process p = CliLauncher.processBuilder("--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("backchannel");
  }
}
