package dev.backchannel.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Frozen invitation encodings (vectors/backchannel/invitations.txt, computed outside this code
 * base): the version 1 layout for one endpoint is unchanged, and version 2 carries every endpoint
 * of a relay cluster. Each vector is written exactly and read back.
 */
class InvitationKnownAnswerTest {
  private static final Instant BEFORE = Instant.parse("2029-12-31T00:00:00Z");

  private record Vector(String endpoints, byte[] payload, String compact) {}

  private static List<Vector> vectors() throws Exception {
    List<Vector> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
        InvitationKnownAnswerTest.class.getResourceAsStream("/vectors/backchannel/invitations.txt")),
        StandardCharsets.US_ASCII))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split(" ");
        out.add(new Vector(f[0], HexFormat.of().parseHex(f[1]), f[2]));
      }
    }
    return out;
  }

  private static byte[] filled(int v) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) v);
    return b;
  }

  @Test
  void everyVectorIsWrittenAndReadExactly() throws Exception {
    List<Vector> vectors = vectors();
    assertThat(vectors).hasSize(2);
    for (Vector v : vectors) {
      RelayAddress relay = RelayAddress.of(filled(0x22), RelayAddress.parseEndpoints(v.endpoints()));
      Invitation inv = Invitation.of(relay, filled(0x11), filled(0x33), Instant.ofEpochSecond(1_893_456_000L));
      assertThat(inv.toCompactString()).as(v.endpoints()).isEqualTo(v.compact());
      byte[] all = Base64.getUrlDecoder().decode(v.compact().substring(Invitation.PREFIX.length()));
      assertThat(Arrays.copyOf(all, all.length - 4)).isEqualTo(v.payload());
      Invitation back = Invitation.parse(v.compact(), BEFORE);
      assertThat(back.relay()).isEqualTo(relay);
      assertThat(back.relay().endpointList()).isEqualTo(v.endpoints());
      assertThat(back.secret()).isEqualTo(filled(0x33));
      assertThat(back.inviterFingerprint()).isEqualTo(filled(0x11));
      assertThat(v.payload()[0]).isEqualTo((byte) (relay.endpoints().size() == 1 ? 1 : 2));
    }
  }
}
