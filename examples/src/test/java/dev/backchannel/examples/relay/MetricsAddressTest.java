package dev.backchannel.examples.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsAddressTest {
  @Test
  void hostAndPortParse() {
    assertThat(MetricsAddress.parse("127.0.0.1:9464")).isEqualTo(new MetricsAddress("127.0.0.1", 9464));
    assertThat(MetricsAddress.parse("localhost:0")).isEqualTo(new MetricsAddress("localhost", 0));
    assertThat(MetricsAddress.parse("[::1]:9464")).isEqualTo(new MetricsAddress("::1", 9464));
    assertThat(MetricsAddress.parse("[::1]:9464").toString()).isEqualTo("[::1]:9464");
    assertThat(MetricsAddress.parse("metrics.example:65535").port()).isEqualTo(65535);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "9464", "127.0.0.1", "127.0.0.1:", ":9464", "127.0.0.1:+1", "127.0.0.1:-1",
      "127.0.0.1:94 64", "::1:9464", "http://127.0.0.1:9464", "127.0.0.1:9464/metrics", "127.0.0.1:123456"})
  void anythingElseIsRefusedWithTheExpectedForm(String value) {
    assertThatThrownBy(() -> MetricsAddress.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--metrics must be HOST:PORT (for example 127.0.0.1:9464), got '" + value + "'");
  }

  @Test
  void aPortOverTheRangeNamesTheRange() {
    assertThatThrownBy(() -> MetricsAddress.parse("127.0.0.1:70000"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--metrics port must be 0..65535, got 70000");
    assertThatThrownBy(() -> new MetricsAddress(" ", 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
