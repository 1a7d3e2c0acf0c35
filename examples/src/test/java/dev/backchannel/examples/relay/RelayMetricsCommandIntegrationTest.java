package dev.backchannel.examples.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.examples.CliLauncher;
import dev.backchannel.netty.client.RelayLink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code backchannel relay --metrics HOST:PORT} in its own process, scraped over HTTP. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayMetricsCommandIntegrationTest {
  @TempDir Path dir;

  private static ProcessBuilder command(String... args) {
    return CliLauncher.processBuilder(args);
  }

  private record Exit(int code, String err) {}

  private static Exit exit(String... args) throws Exception {
    Process p = command(args).start();
    p.getOutputStream().close();
    p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Exit(p.exitValue(), err);
  }

  @Test
  void printsTheMetricsAddressAndServesPrometheusText() throws Exception {
    Process p = command("relay", "--data", dir.resolve("relay").toString(), "--port", "0",
        "--metrics", "127.0.0.1:0").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String relayLine = out.readLine();
      String metricsLine = out.readLine();
      assertThat(relayLine).startsWith("relay address: bcr://");
      assertThat(metricsLine).matches("metrics: http://127\\.0\\.0\\.1:\\d+/metrics");
      URI url = URI.create(metricsLine.substring("metrics: ".length()));
      try (RelayLink link = RelayLink.builder(RelayAddress.parse(relayLine.substring("relay address: ".length())))
          .build()) {
        link.awaitConnected(Duration.ofSeconds(20));
        link.ping().get(20, TimeUnit.SECONDS);
        HttpResponse<String> r = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body())
            .contains("backchannel_relay_connections_open 1.0")
            .contains("backchannel_relay_connections_accepted_total 1.0")
            .contains("backchannel_relay_refusals_total{reason=\"bad_request\"} 0.0")
            .contains("jvm_memory_used_bytes{")
            .contains("jvm_threads_live_threads");
        HttpResponse<String> other = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(url.resolve("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(404);
      }
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aBadMetricsValueIsOneErrorLineAndExit2() throws Exception {
    Exit e = exit("relay", "--data", dir.resolve("relay").toString(), "--port", "0", "--metrics", "9464");
    assertThat(e.code()).as(e.err()).isEqualTo(2);
    assertThat(e.err().strip()).isEqualTo("error: --metrics must be HOST:PORT (for example 127.0.0.1:9464), got '9464'");
    Exit range = exit("relay", "--data", dir.resolve("relay").toString(), "--port", "0", "--metrics", "127.0.0.1:99999");
    assertThat(range.code()).as(range.err()).isEqualTo(2);
    assertThat(range.err().strip()).isEqualTo("error: --metrics port must be 0..65535, got 99999");
    Exit host = exit("relay", "--data", dir.resolve("relay").toString(), "--port", "0",
        "--metrics", "no-such-host.invalid:0");
    assertThat(host.code()).as(host.err()).isEqualTo(2);
    assertThat(host.err().strip().lines().reduce((a, b) -> b).orElseThrow())
        .isEqualTo("error: cannot resolve the metrics host 'no-such-host.invalid'");
  }

  @Test
  void aTakenMetricsPortIsExit3LikeTheRelaysOwnPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Exit e = exit("relay", "--data", dir.resolve("relay").toString(), "--port", "0",
          "--metrics", "127.0.0.1:" + taken.getLocalPort());
      assertThat(e.code()).as(e.err()).isEqualTo(3);
      assertThat(e.err().strip().lines().reduce((a, b) -> b).orElseThrow())
          .startsWith("error: cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + ": ")
          .endsWith("(is another process using the port?)");
    }
  }
}
