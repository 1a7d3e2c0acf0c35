package dev.backchannel.examples.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint in front of a real relay (TLS on loopback), fetched over HTTP as Prometheus does. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir Path dir;

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static HttpResponse<String> fetch(URI uri, String method) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesPrometheusTextWithTheRelaysAndTheJvmsMeters() throws Exception {
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir).port(0).build());
         MetricsEndpoint endpoint = MetricsEndpoint.start(new MetricsAddress("127.0.0.1", 0), relay)) {
      assertThat(endpoint.boundAddress().getAddress().isLoopbackAddress()).isTrue();
      assertThat(endpoint.url().toString()).matches("http://127\\.0\\.0\\.1:\\d+/metrics");
      try (RelayLink link = RelayLink.builder(relay.address()).build();
           SecretBytes owner = Ed25519.generatePrivateKey()) {
        link.awaitConnected(Duration.ofSeconds(20));
        byte[] box = random(32);
        link.createMailbox(box, owner).get(20, TimeUnit.SECONDS);
        link.send(box, random(16), new byte[123]).get(20, TimeUnit.SECONDS);
        HttpResponse<String> r = fetch(endpoint.url(), "GET");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body())
            .contains("# TYPE backchannel_relay_envelopes_stored_total counter")
            .contains("backchannel_relay_envelopes_stored_total 1.0")
            .contains("backchannel_relay_stored_bytes_total 123.0")
            .contains("backchannel_relay_connections_open 1.0")
            .contains("backchannel_relay_refusals_total{reason=\"quota_exceeded\"} 0.0")
            .contains("backchannel_relay_store_commit_seconds_count")
            .contains("jvm_memory_used_bytes{")
            .contains("jvm_threads_live_threads")
            .contains("jvm_gc_")
            .contains("process_uptime_seconds");
      }
      assertThat(fetch(endpoint.url(), "HEAD").statusCode()).isEqualTo(200);
      assertThat(fetch(endpoint.url().resolve("/"), "GET").statusCode()).isEqualTo(404);
      assertThat(fetch(endpoint.url().resolve("/metrics/x"), "GET").statusCode()).isEqualTo(404);
      assertThat(fetch(endpoint.url(), "POST").statusCode()).isEqualTo(405);
    }
  }

  @Test
  void aTakenPortIsAnIoErrorAndNothingStaysBound() throws Exception {
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir).port(0).build());
         ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> MetricsEndpoint.start(new MetricsAddress("127.0.0.1", taken.getLocalPort()), relay))
          .isInstanceOf(IOException.class);
      // The relay's meters were not left behind: a later endpoint binds them again.
      MetricsEndpoint.start(new MetricsAddress("127.0.0.1", 0), relay).close();
    }
  }
}
