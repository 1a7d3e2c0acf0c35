package dev.backchannel.examples.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelaySettingsTest {
  @TempDir Path dir;

  RelayConfig config(Map<RelaySetting, String> flags, Map<String, String> env, String toml) throws Exception {
    Map<RelaySetting, String> file = Map.of();
    if (toml != null) {
      Path f = Files.writeString(dir.resolve("relay.toml"), toml);
      file = RelayConfigFile.read(f);
    }
    return RelaySettings.resolve(flags, env, file, "relay.toml").toConfig();
  }

  @Test
  void aFlagBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws Exception {
    String toml = "data = \"" + dir.resolve("d") + "\"\nport = 1111\nmax-connections = 22\nidle-timeout = \"5m\"\n";
    RelayConfig fileOnly = config(Map.of(), Map.of(), toml);
    assertThat(fileOnly.port()).isEqualTo(1111);
    assertThat(fileOnly.maxConnections()).isEqualTo(22);
    assertThat(fileOnly.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(fileOnly.maxRequestsPerSecond()).isEqualTo(RelayConfig.DEFAULT_MAX_REQUESTS_PER_SECOND);

    Map<String, String> env = Map.of("BACKCHANNEL_RELAY_PORT", "2222", "BACKCHANNEL_RELAY_MAX_STORE_BYTES", "4096");
    RelayConfig withEnv = config(Map.of(), env, toml);
    assertThat(withEnv.port()).isEqualTo(2222);
    assertThat(withEnv.maxConnections()).isEqualTo(22);
    assertThat(withEnv.limits().maxStoreBytes()).isEqualTo(4096);

    RelayConfig withFlag = config(Map.of(RelaySetting.PORT, "3333"), env, toml);
    assertThat(withFlag.port()).isEqualTo(3333);
    assertThat(withFlag.limits().maxStoreBytes()).isEqualTo(4096);
  }

  @Test
  void theTemplateHoldsEverySettingAndUncommentedGivesTheDefaults() throws Exception {
    String template = RelayConfigFile.template(dir.resolve("data"));
    for (RelaySetting s : RelaySetting.values()) {
      assertThat(template).contains(s.key + " = ").contains(s.description);
    }
    Path commented = Files.writeString(dir.resolve("a.toml"), template);
    assertThat(RelayConfigFile.read(commented)).containsOnlyKeys(RelaySetting.DATA);

    String uncommented = template.replaceAll("(?m)^# [^\\n]*for example:\\n# [^\\n]*$", "")
        .replaceAll("(?m)^# ([a-z-]+ = )", "$1");
    RelayConfig c = config(Map.of(), Map.of(), uncommented);
    RelayConfig defaults = RelayConfig.builder(dir.resolve("data")).build();
    assertThat(c.dataDirectory()).isEqualTo(dir.resolve("data").toAbsolutePath());
    assertThat(c.port()).isEqualTo(defaults.port());
    assertThat(c.host()).isEqualTo(defaults.host());
    assertThat(c.envelopeTtl()).isEqualTo(defaults.envelopeTtl());
    assertThat(c.maxInvitationTtl()).isEqualTo(defaults.maxInvitationTtl());
    assertThat(c.limits()).isEqualTo(RelayLimits.defaults());
  }

  @Test
  void badValuesAreRefusedNamingWhereTheyCameFrom() throws Exception {
    String data = "data = \"" + dir.resolve("d") + "\"\n";
    assertThatThrownBy(() -> config(Map.of(RelaySetting.PORT, "70000"), Map.of(), data))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--port: ").hasMessageContaining("65535");
    assertThatThrownBy(() -> config(Map.of(), Map.of("BACKCHANNEL_RELAY_IDLE_TIMEOUT", "soon"), data))
        .hasMessageStartingWith("BACKCHANNEL_RELAY_IDLE_TIMEOUT: 'soon' is not a duration");
    assertThatThrownBy(() -> config(Map.of(), Map.of(), data + "max-connections = \"many\"\n"))
        .hasMessageContaining("relay.toml: max-connections must be a whole number");
    assertThatThrownBy(() -> config(Map.of(), Map.of(), data + "max-conections = 5\n"))
        .hasMessageContaining("unknown option 'max-conections'");
    assertThatThrownBy(() -> config(Map.of(), Map.of(), data + "port = \n"))
        .hasMessageContaining("not valid TOML");
    assertThatThrownBy(() -> config(Map.of(), Map.of(), data + "[limits]\nport = 1\n"))
        .hasMessageContaining("unknown option 'limits'");
    assertThatThrownBy(() -> config(Map.of(), Map.of("BACKCHANNEL_RELAY_WRITE_BUFFER_HIGH_WATER_MARK", "2048"), data))
        .hasMessageStartingWith("BACKCHANNEL_RELAY_WRITE_BUFFER_HIGH_WATER_MARK: write-buffer-high-water-mark must be");
    assertThatThrownBy(() -> config(Map.of(), Map.of(), "port = 1\n"))
        .hasMessageContaining("a data directory is needed");
    assertThatThrownBy(() -> config(Map.of(RelaySetting.MAX_STORE_BYTES, "-1"), Map.of(), data))
        .hasMessageStartingWith("--max-store-bytes: '-1' is not a whole number");
  }

  @Test
  void theAdmissionSecretComesFromAFileAndItsLengthIsChecked() throws Exception {
    String data = "data = \"" + dir.resolve("d") + "\"\n";
    Path good = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123\n");
    assertThat(config(Map.of(RelaySetting.ADMISSION_SECRET_FILE, good.toString()), Map.of(), data)
        .admissionRequired()).isTrue();
    assertThat(config(Map.of(), Map.of(), data).admissionRequired()).isFalse();
    Path shortOne = Files.writeString(dir.resolve("short"), "abc\n");
    assertThatThrownBy(() -> config(Map.of(), Map.of("BACKCHANNEL_RELAY_ADMISSION_SECRET_FILE", shortOne.toString()), data))
        .hasMessageStartingWith("BACKCHANNEL_RELAY_ADMISSION_SECRET_FILE: ")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("abc"));
  }

  @Test
  void durationsInShortAndIsoForms() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("90d")).isEqualTo(Duration.ofDays(90));
    assertThat(Durations.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThatThrownBy(() -> Durations.parse("-5s")).isInstanceOf(IllegalArgumentException.class);
  }
}
