package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.AppData;
import dev.backchannel.api.Peer;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application's key-value space in the peer's state: durable across a restart, sealed under
 * the passphrase (the value's bytes appear in no file), keys and values checked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AppDataIntegrationTest {
  @TempDir Path dir;

  private Peer open(RelayServer relay) throws Exception {
    return Peer.builder().stateDirectory(dir.resolve("peer")).passphrase("a long passphrase".toCharArray())
        .relay(relay.address()).build();
  }

  @Test
  void valuesSurviveARestartAreSealedAndBadInputIsRefused() throws Exception {
    byte[] value = "shown: Bartholomew".getBytes(StandardCharsets.UTF_8);
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build())) {
      try (Peer p = open(relay)) {
        AppData d = p.appData();
        assertThat(d.keys()).isEmpty();
        d.put("cli.shown", value);
        d.put("other-key_2", new byte[0]);
        assertThat(d.get("cli.shown")).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
        assertThatThrownBy(() -> d.put("", value)).isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> d.put("has space", value)).isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> d.put("k".repeat(AppData.MAX_KEY_CHARS + 1), value))
            .isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> d.put("big", new byte[AppData.MAX_VALUE_BYTES + 1]))
            .isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> d.put("null", null)).isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> d.get("../peer")).isInstanceOf(MalformedInputException.class);
        assertThat(d.keys()).containsExactly("cli.shown", "other-key_2");
      }
      try (Peer p = open(relay)) {
        assertThat(p.appData().get("cli.shown")).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
        p.appData().delete("other-key_2");
        assertThat(p.appData().keys()).containsExactly("cli.shown");
      }
      try (Stream<Path> files = Files.walk(dir.resolve("peer"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString())
              .doesNotContain("Bartholomew");
        }
      }
    }
  }
}
