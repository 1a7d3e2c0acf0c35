package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.Peer;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two peers through a real relay; one of them reports to a Micrometer registry. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PeerMetricsIntegrationTest {
  @TempDir Path dir;

  private static double count(MeterRegistry r, String name) {
    return r.get(name).functionCounter().count();
  }

  @Test
  void aPeerWithARegistryCountsItsSendsReceivesAndCommits() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
         Peer alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(relay.address())
             .meterRegistry(registry).build();
         Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(relay.address()).build()) {
      PeerTestSupport.Pair pair = PeerTestSupport.introduce(alice, bob); // bob: "hi", alice: "hello"
      for (int i = 0; i < 3; i++) {
        pair.toBob().send("news " + i).get(60, TimeUnit.SECONDS);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(pair.toAlice().receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("news " + i);
      }
      pair.toAlice().send("thanks").get(60, TimeUnit.SECONDS);
      assertThat(pair.toBob().receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("thanks");

      assertThat(count(registry, "backchannel.peer.messages.sent")).isEqualTo(4.0); // "hello" and three
      assertThat(count(registry, "backchannel.peer.messages.received")).isEqualTo(2.0); // "hi", "thanks"
      assertThat(count(registry, "backchannel.peer.messages.send.failed")).isZero();
      assertThat(count(registry, "backchannel.peer.gaps")).isZero();
      // Quiet: the outbox empty for longer than a held receipt may wait (it goes out on its own).
      long quietSince = System.nanoTime();
      for (int i = 0; i < 400; i++) {
        if (registry.get("backchannel.peer.outbox.pending").gauge().value() > 0) {
          quietSince = System.nanoTime();
        } else if (System.nanoTime() - quietSince > TimeUnit.MILLISECONDS.toNanos(3 * HeldReceipts.DELAY_MILLIS)) {
          break;
        }
        Thread.sleep(25);
      }
      assertThat(registry.get("backchannel.peer.outbox.pending").gauge().value()).isZero();
      // Deferred work (held receipts, outbox record deletes) may still commit: read both meters
      // once they agree, each commit recording one batch; a broken listener never agrees.
      long commits = -1;
      long batches = -2;
      for (int i = 0; i < 200 && commits != batches; i++) {
        commits = registry.get("backchannel.peer.stage.commit").timer().count();
        batches = (long) registry.get("backchannel.peer.stage.batch").summary().count();
        if (commits != batches) {
          Thread.sleep(25);
        }
      }
      assertThat(commits).isPositive();
      assertThat(batches).isEqualTo(commits);
      assertThat(registry.scrape())
          .contains("backchannel_peer_messages_sent_total 4.0")
          .contains("backchannel_peer_messages_received_total 2.0")
          .contains("backchannel_peer_messages_send_failed_total 0.0")
          .contains("backchannel_peer_gaps_total 0.0")
          .contains("backchannel_peer_gaps_messages_total 0.0")
          .contains("backchannel_peer_outbox_pending 0.0")
          .contains("backchannel_peer_stage_batch_units_bucket{le=")
          .contains("backchannel_peer_stage_commit_seconds_bucket{le=");
      assertThat(registry.getMeters()).allSatisfy(m -> {
        assertThat(m.getId().getName()).startsWith("backchannel.peer.");
        assertThat(m.getId().getTags()).isEmpty();
      });
    }
    assertThat(registry.getMeters()).as("closing the peer removes its meters").isEmpty();
  }

  @Test
  void messagesARelayDropsAreCountedAsAGap() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HostileMailboxStore hostile = new HostileMailboxStore(
        new dev.backchannel.netty.store.RocksDbMailboxStore(dir.resolve("relay/store")));
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0)
             .mailboxStore(hostile).build());
         Peer alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(relay.address()).build();
         Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(relay.address())
             .meterRegistry(registry).build()) {
      PeerTestSupport.Pair pair = PeerTestSupport.introduce(alice, bob); // bob receives "hello"
      hostile.mode(HostileMailboxStore.Mode.DROP);
      for (int i = 0; i < 3; i++) {
        pair.toBob().send("lost " + i).get(60, TimeUnit.SECONDS);
      }
      hostile.mode(HostileMailboxStore.Mode.NONE);
      pair.toBob().send("after").get(60, TimeUnit.SECONDS);
      assertThat(pair.toAlice().receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("after");
      for (int i = 0; i < 200 && count(registry, "backchannel.peer.gaps") < 1; i++) {
        Thread.sleep(25);
      }
      assertThat(count(registry, "backchannel.peer.gaps")).isEqualTo(1.0);
      assertThat(count(registry, "backchannel.peer.gaps.messages")).isEqualTo(3.0);
      assertThat(count(registry, "backchannel.peer.messages.received")).isEqualTo(2.0); // "hello", "after"
      assertThat(count(registry, "backchannel.peer.messages.sent")).isEqualTo(1.0); // "hi"
    }
  }

  @Test
  void theBuilderRefusesWhatIsNotARegistryAndASecondOpenPeerOnOneRegistry() throws Exception {
    assertThatThrownBy(() -> Peer.builder().meterRegistry("metrics"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("meterRegistry must be an io.micrometer.core.instrument.MeterRegistry, not a java.lang.String");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
         Peer first = Peer.builder().stateDirectory(dir.resolve("first")).relay(relay.address())
             .meterRegistry(registry).build()) {
      assertThatThrownBy(() -> Peer.builder().stateDirectory(dir.resolve("second")).relay(relay.address())
          .meterRegistry(registry).build())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("its own registry");
      // The refused peer released its state: it opens again without a registry.
      Peer.builder().stateDirectory(dir.resolve("second")).relay(relay.address()).build().close();
      assertThat(first.fingerprint()).hasSizeGreaterThan(0);
    }
  }
}
