package dev.backchannel.netty.client;

import static dev.backchannel.netty.relay.RelayTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.RelayAddress.Endpoint;
import dev.backchannel.api.error.UntrustedRelayException;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.relay.RelayTestSupport;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A link to an address with several endpoints, over real TLS on loopback: two relay nodes share
 * one key file (so one pin), each with its own embedded store here (the shared store is
 * channel-redis's; its tests run the same with Redis). The link starts with the first endpoint,
 * skips one that refuses connections, moves on when its node goes away, and refuses a node with
 * another key.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayLinkFailoverIntegrationTest {
  @TempDir Path dir;

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private RelayServer node(String name, Path keyFile) throws Exception {
    RelayConfig.Builder b = RelayConfig.builder(dir.resolve(name)).port(0);
    if (keyFile != null) {
      b.keyFile(keyFile);
    }
    return RelayServer.start(b.build());
  }

  private static RelayLink link(RelayAddress address) throws Exception {
    return RelayLink.builder(address)
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300))
        .requestTimeout(Duration.ofSeconds(20))
        .build();
  }

  private static Endpoint endpoint(RelayServer r) {
    return new Endpoint("127.0.0.1", r.address().port());
  }

  @Test
  void aRefusingFirstEndpointIsSkipped() throws Exception {
    Path key = dir.resolve("cluster.key");
    try (RelayServer second = node("second", key)) {
      RelayAddress address = RelayAddress.of(second.address().keySha256(),
          List.of(new Endpoint("127.0.0.1", freePort()), endpoint(second)));
      try (RelayLink l = link(address)) {
        l.awaitConnected(Duration.ofSeconds(20));
        l.ping().get(20, TimeUnit.SECONDS);
        assertThat(l.currentEndpoint()).isEqualTo(endpoint(second));
      }
    }
  }

  @Test
  void whenItsNodeGoesAwayTheLinkMovesToTheNextAndKeepsItsSubscriptionsAndOutbox() throws Exception {
    Path key = dir.resolve("cluster.key");
    RelayServer first = node("first", key);
    try (RelayServer second = node("second", key)) {
      assertThat(second.address().keyHash()).isEqualTo(first.address().keyHash());
      RelayAddress cluster = RelayAddress.of(first.address().keySha256(), List.of(endpoint(first), endpoint(second)));
      Box box = new Box();
      // Separate stores here: the mailbox is made on each node.
      try (RelayLink direct1 = RelayTestSupport.link(first.address());
          RelayLink direct2 = RelayTestSupport.link(second.address())) {
        box.create(direct1).create(direct2);
      }
      try (RelayLink receiver = link(cluster); RelayLink sender = link(cluster)) {
        receiver.awaitConnected(Duration.ofSeconds(20));
        sender.awaitConnected(Duration.ofSeconds(20));
        assertThat(receiver.currentEndpoint()).isEqualTo(endpoint(first));
        box.subscribe(receiver);
        sender.send(box.id, random(16), "on the first".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        assertThat(new String(box.next().body(), StandardCharsets.UTF_8)).isEqualTo("on the first");

        first.close();
        // Sent while the link has no node: it waits in the outbox and goes to the next node.
        CompletableFuture<Void> during = sender.send(box.id, random(16), "during".getBytes(StandardCharsets.UTF_8));
        during.get(30, TimeUnit.SECONDS);
        assertThat(sender.currentEndpoint()).isEqualTo(endpoint(second));
        assertThat(new String(box.next().body(), StandardCharsets.UTF_8)).isEqualTo("during");
        assertThat(receiver.currentEndpoint()).as("re-subscribed on the second node").isEqualTo(endpoint(second));
        sender.send(box.id, random(16), "after".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        assertThat(new String(box.next().body(), StandardCharsets.UTF_8)).isEqualTo("after");
        assertThat(box.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
      }
    } finally {
      first.close();
    }
  }

  @Test
  void aNodeWithAnotherKeyIsRefusedWhereverItIsListed() throws Exception {
    try (RelayServer ours = node("ours", dir.resolve("cluster.key"));
        RelayServer stranger = node("stranger", null)) {
      RelayAddress address = RelayAddress.of(ours.address().keySha256(),
          List.of(new Endpoint("127.0.0.1", freePort()), endpoint(stranger), endpoint(ours)));
      try (RelayLink l = link(address)) {
        assertThatThrownBy(() -> l.awaitConnected(Duration.ofSeconds(20)))
            .isInstanceOf(UntrustedRelayException.class).hasMessageContaining(endpoint(stranger).toString());
        assertThatThrownBy(() -> l.ping().get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(UntrustedRelayException.class);
      }
    }
  }

  @Test
  void theRelayPrintsTheAdvertisedEndpoints() throws Exception {
    List<Endpoint> advertised = List.of(new Endpoint("relay1.example.org", 7443), new Endpoint("10.1.2.3", 7444));
    try (RelayServer r = RelayServer.start(RelayConfig.builder(dir.resolve("adv")).port(0)
        .keyFile(dir.resolve("k.key")).advertise(advertised).build())) {
      assertThat(r.address().endpoints()).isEqualTo(advertised);
      assertThat(r.address().toString()).endsWith("@relay1.example.org:7443,10.1.2.3:7444");
    }
    assertThatThrownBy(() -> RelayConfig.builder(dir).advertise(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
