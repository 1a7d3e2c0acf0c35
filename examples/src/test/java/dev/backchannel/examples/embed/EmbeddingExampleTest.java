package dev.backchannel.examples.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's embedding example against a real relay on loopback. */
class EmbeddingExampleTest {
  @TempDir Path dir;

  @Test
  void theReadmeExampleRuns() throws Exception {
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build())) {
      String out = EmbeddingExample.run(relay.address(), dir.resolve("peers"));
      assertThat(out).contains("minister read: Our terms are on the table.")
          .contains("envoy read: Received. We will answer tomorrow.")
          .contains("same on both sides");
    }
  }
}
