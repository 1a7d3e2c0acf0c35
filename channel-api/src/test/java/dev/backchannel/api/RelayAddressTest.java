package dev.backchannel.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.MalformedInputException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RelayAddressTest {
  private static final byte[] KEY = new byte[32];

  static {
    Arrays.fill(KEY, (byte) 0x5a);
  }

  @Test
  void roundTripsThroughText() throws Exception {
    RelayAddress a = RelayAddress.of(KEY, "relay.example.org", 7443);
    assertThat(a.toString()).startsWith("bcr://").endsWith("@relay.example.org:7443");
    RelayAddress b = RelayAddress.parse(a.toString());
    assertThat(b).isEqualTo(a);
    assertThat(b.keySha256()).isEqualTo(KEY);
    assertThat(RelayAddress.parse("  " + a + "\n")).isEqualTo(a);
  }

  @Test
  void malformedAddressesAreTypedErrors() {
    String hash = RelayAddress.of(KEY, "h", 1).keyHash();
    for (String bad :
        new String[] {
          "", "http://x@h:1", "bcr://", "bcr://" + hash + "@h", "bcr://" + hash + "@h:0",
          "bcr://" + hash + "@h:65536", "bcr://" + hash + "@h:port", "bcr://short@h:1",
          "bcr://" + hash + "@-h:1", "bcr://" + hash + "@h h:1", "bcr://" + hash + "@:1",
          "bcr://" + hash.substring(0, 42) + "B@h:1" /* non-canonical last character */
        }) {
      assertThatThrownBy(() -> RelayAddress.parse(bad))
          .as(bad)
          .isInstanceOf(MalformedInputException.class);
    }
    assertThatThrownBy(() -> RelayAddress.parse(null)).isInstanceOf(MalformedInputException.class);
  }

  @Test
  void constructorNamesTheBrokenRule() {
    assertThatThrownBy(() -> RelayAddress.of(new byte[31], "h", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> RelayAddress.of(KEY, "h", 70000)).hasMessageContaining("1..65535");
  }
}
