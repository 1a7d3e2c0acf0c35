package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Micrometer is optional: with the test class path less every Micrometer jar, a relay and two
 * peers work as before, and only the two binders that name it ({@code RelayMetrics},
 * {@code PeerMetrics}) fail to resolve.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WithoutMicrometerIntegrationTest {
  @TempDir Path dir;

  @Test
  void aRelayAndPeersRunWithoutMicrometerOnTheClassPath() throws Exception {
    List<String> all = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    String classPath = all.stream()
        .filter(e -> !Path.of(e).getFileName().toString().startsWith("micrometer-"))
        .collect(Collectors.joining(File.pathSeparator));
    assertThat(all.stream().anyMatch(e -> e.contains("micrometer-core"))).as("the test itself has Micrometer").isTrue();
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process p = new ProcessBuilder(java, "-Dorg.slf4j.simpleLogger.logFile=System.err", "-cp", classPath,
        WithoutMicrometerMain.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.lines().toList()).containsExactly(
        "no micrometer",
        "relay counted",
        "refused: meterRegistry must be an io.micrometer.core.instrument.MeterRegistry, not a java.lang.Object",
        "unresolvable [PeerMetrics, RelayMetrics]",
        "ok");
  }
}
