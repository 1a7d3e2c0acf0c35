package dev.backchannel.netty.relay;

import static dev.backchannel.netty.relay.RelayTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import dev.backchannel.netty.relay.RelayTestSupport.Opened;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real relay over TLS on loopback with its meters in a Prometheus registry: after known traffic
 * the scraped text shows exactly what happened.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayMetricsIntegrationTest {
  @TempDir Path dir;

  @Test
  void countersAndRefusalTagsShowTheExactTraffic() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (Opened o = new Opened()) {
      RelayServer relay = o.relay(RelayConfig.builder(dir).maxEnvelopesPerMailbox(3));
      o.add(RelayMetrics.bind(registry, relay));
      RelayLink owner = o.link(relay);
      RelayLink sender = o.link(relay);
      Box box = new Box().create(owner);
      byte[] first = random(16);
      sender.send(box.id, first, new byte[100]).get(20, TimeUnit.SECONDS);
      sender.send(box.id, random(16), new byte[200]).get(20, TimeUnit.SECONDS);
      sender.send(box.id, random(16), new byte[300]).get(20, TimeUnit.SECONDS);
      sender.send(box.id, first, new byte[100]).get(20, TimeUnit.SECONDS); // a duplicate: not stored again
      assertThatThrownBy(() -> sender.send(random(32), random(16), new byte[10]).get(20, TimeUnit.SECONDS))
          .cause().isInstanceOfSatisfying(RelayRejectedException.class,
              e -> assertThat(e.code()).isEqualTo(RelayErrorCode.NO_SUCH_MAILBOX));
      // Over the quota: refused (the link retries it in the background, so at least once).
      CompletableFuture<Void> over = sender.send(box.id, random(16), new byte[10]);
      waitFor(() -> relay.counters().refusals().get(RelayCounters.Refusal.QUOTA_EXCEEDED) >= 1);
      box.subscribe(owner);
      List<byte[]> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Delivery d = box.next();
        ids.add(d.messageId());
      }
      owner.ack(box.id, ids.get(0)).get(20, TimeUnit.SECONDS);
      owner.ack(box.id, ids.get(1)).get(20, TimeUnit.SECONDS);
      over.get(30, TimeUnit.SECONDS); // room again: the retried send is stored (the fourth)
      box.next();

      String text = registry.scrape();
      assertThat(text)
          .contains("backchannel_relay_connections_open 2.0")
          .contains("backchannel_relay_connections_accepted_total 2.0")
          .contains("backchannel_relay_envelopes_stored_total 4.0")
          .contains("backchannel_relay_envelopes_delivered_total 4.0")
          .contains("backchannel_relay_envelopes_acknowledged_total 2.0")
          .contains("backchannel_relay_stored_bytes_total 610.0")
          .contains("backchannel_relay_refusals_total{reason=\"no_such_mailbox\"} 1.0")
          .contains("backchannel_relay_refusals_total{reason=\"too_large\"} 0.0")
          .contains("backchannel_relay_store_held_bytes 310.0")
          .contains("backchannel_relay_store_commit_seconds_bucket{")
          .contains("backchannel_relay_store_batch_operations_bucket{");
      long quota = relay.counters().refusals().get(RelayCounters.Refusal.QUOTA_EXCEEDED);
      assertThat(text).contains("backchannel_relay_refusals_total{reason=\"quota_exceeded\"} " + quota + ".0");
      assertThat(relay.counters().rejected()).isEqualTo(1 + quota);
      // Every durable write of the store went through one histogram sample each.
      long batches = registry.get("backchannel.relay.store.batch").summary().count();
      assertThat(batches).isPositive();
      assertThat(registry.get("backchannel.relay.store.commit").timer().count()).isEqualTo(batches);
      assertThat(registry.get("backchannel.relay.store.batch").summary().totalAmount())
          .isGreaterThanOrEqualTo(4 + 2); // at least the four appends and the two removals
      // Tags are the reason and nothing else: no id or address in any meter.
      for (Meter m : registry.getMeters()) {
        m.getId().getTags().forEach(t -> assertThat(t.getKey()).isIn("reason", "le", "quantile"));
      }
    }
  }

  @Test
  void anUnacknowledgedEnvelopeExpiresAndIsCounted() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Opened o = new Opened()) {
      RelayServer relay = o.relay(RelayConfig.builder(dir).envelopeTtl(Duration.ofSeconds(1)));
      o.add(RelayMetrics.bind(registry, relay));
      RelayLink owner = o.link(relay);
      Box box = new Box().create(owner);
      owner.send(box.id, random(16), new byte[50]).get(20, TimeUnit.SECONDS);
      waitFor(() -> registry.get("backchannel.relay.expired").functionCounter().count() >= 1);
      assertThat(registry.get("backchannel.relay.expired").functionCounter().count()).isEqualTo(1.0);
      assertThat(registry.get("backchannel.relay.envelopes.stored").functionCounter().count()).isEqualTo(1.0);
    }
  }

  @Test
  void oneRegistryPerRelayAndCloseRemovesTheMeters() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Opened o = new Opened()) {
      RelayServer relay = o.relay(RelayConfig.builder(dir));
      RelayMetrics metrics = RelayMetrics.bind(registry, relay);
      assertThat(registry.getMeters()).hasSizeGreaterThan(RelayCounters.Refusal.values().length);
      assertThatThrownBy(() -> RelayMetrics.bind(registry, relay))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("its own registry");
      metrics.close();
      metrics.close();
      assertThat(registry.getMeters()).isEmpty();
      RelayMetrics.bind(registry, relay).close(); // free again once the first is closed
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
      Thread.sleep(50);
    }
    assertThat(condition.getAsBoolean()).as("condition met within 30 s").isTrue();
  }
}
