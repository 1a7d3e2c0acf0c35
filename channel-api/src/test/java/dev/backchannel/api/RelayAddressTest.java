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
  void severalEndpointsRoundTripInOrder() throws Exception {
    String hash = RelayAddress.of(KEY, "h", 1).keyHash();
    String text = "bcr://" + hash + "@n1.example.org:7443,10.0.0.2:7444,n3:1";
    RelayAddress a = RelayAddress.parse(text);
    assertThat(a.endpoints()).containsExactly(new RelayAddress.Endpoint("n1.example.org", 7443),
        new RelayAddress.Endpoint("10.0.0.2", 7444), new RelayAddress.Endpoint("n3", 1));
    assertThat(a.host()).isEqualTo("n1.example.org");
    assertThat(a.port()).isEqualTo(7443);
    assertThat(a.toString()).isEqualTo(text);
    assertThat(a.endpointList()).isEqualTo("n1.example.org:7443,10.0.0.2:7444,n3:1");
    assertThat(RelayAddress.parse(" \t" + text + " \n")).isEqualTo(a);
    assertThat(RelayAddress.parse("bcr://" + hash + "@n3:1,n1.example.org:7443")).isNotEqualTo(a);
    // One endpoint prints exactly as version 1 did.
    assertThat(RelayAddress.of(KEY, "relay.example.org", 7443).toString())
        .isEqualTo("bcr://" + hash + "@relay.example.org:7443");
    assertThat(new RelayAddress(hash, "h", 5).endpoints()).containsExactly(new RelayAddress.Endpoint("h", 5));
  }

  @Test
  void portsAreStrictDecimal() throws Exception {
    String hash = RelayAddress.of(KEY, "h", 1).keyHash();
    for (String port : new String[] {"007443", "07443", "0", "+1", "-1", " 1", "1 ", "65536", "99999",
        "100000", "1e3", "0x1f", "", "١٢", "7443\n"}) {
      assertThatThrownBy(() -> RelayAddress.parse("bcr://" + hash + "@h:" + port + ",g:2"))
          .as("port %s", port).isInstanceOf(MalformedInputException.class);
      assertThatThrownBy(() -> RelayAddress.Endpoint.parse("h:" + port))
          .as("port %s", port).isInstanceOf(MalformedInputException.class);
    }
    assertThat(RelayAddress.Endpoint.parse("h:65535").port()).isEqualTo(65535);
    assertThat(RelayAddress.Endpoint.parse("h:1").port()).isEqualTo(1);
  }

  @Test
  void endpointListsAreBounded() throws Exception {
    String hash = RelayAddress.of(KEY, "h", 1).keyHash();
    StringBuilder eight = new StringBuilder();
    for (int i = 1; i <= 8; i++) {
      eight.append(i > 1 ? "," : "").append("n").append(i).append(":").append(7000 + i);
    }
    assertThat(RelayAddress.parse("bcr://" + hash + "@" + eight).endpoints()).hasSize(8);
    for (String bad : new String[] {
        eight + ",n9:7009", "a:1,", ",a:1", "a:1,,b:2", "a:1,a:1", "a:1,A:1", "a:1, b:2", "a:1;b:2"}) {
      assertThatThrownBy(() -> RelayAddress.parse("bcr://" + hash + "@" + bad))
          .as(bad).isInstanceOf(MalformedInputException.class);
      assertThatThrownBy(() -> RelayAddress.parseEndpoints(bad))
          .as(bad).isInstanceOf(MalformedInputException.class);
    }
    String longHost = "h".repeat(200);
    StringBuilder tooLong = new StringBuilder();
    for (int i = 1; i <= 5; i++) {
      tooLong.append(i > 1 ? "," : "").append(longHost).append(":").append(i);
    }
    assertThatThrownBy(() -> RelayAddress.parse("bcr://" + hash + "@" + tooLong))
        .isInstanceOf(MalformedInputException.class).hasMessageContaining("1024");
    assertThatThrownBy(() -> RelayAddress.parse("bcr://" + hash + "@" + "a".repeat(5000) + ":1"))
        .isInstanceOf(MalformedInputException.class).hasMessageContaining("1024");
    assertThatThrownBy(() -> RelayAddress.of(KEY, java.util.List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..8");
    assertThatThrownBy(() -> RelayAddress.parseEndpoints(""))
        .isInstanceOf(MalformedInputException.class);
  }

  @Test
  void constructorNamesTheBrokenRule() {
    assertThatThrownBy(() -> RelayAddress.of(new byte[31], "h", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> RelayAddress.of(KEY, "h", 70000)).hasMessageContaining("1..65535");
  }
}
