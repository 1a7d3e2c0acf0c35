package dev.backchannel.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.InvalidInvitationException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InvitationTest {
  private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
  private static final byte[] FP = filled(32, 0x11);
  private static final RelayAddress RELAY = RelayAddress.of(filled(32, 0x22), "127.0.0.1", 7443);

  @Test
  void roundTripsAndStaysShort() throws Exception {
    Invitation inv = Invitation.create(RELAY, FP, NOW.plus(Duration.ofHours(24)));
    String code = inv.toCompactString();
    assertThat(code).startsWith("bc1-").hasSizeLessThan(200);
    Invitation back = Invitation.parse(code, NOW);
    assertThat(back.relay()).isEqualTo(RELAY);
    assertThat(back.inviterFingerprint()).isEqualTo(FP);
    assertThat(back.secret()).isEqualTo(inv.secret());
    assertThat(back.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(24)));
    assertThat(back.toCompactString()).isEqualTo(code);
    assertThat(new String(inv.qrPayload(), java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo(code);
  }

  /** docs/PROTOCOL.md section 10: 4 + ceil(4 (112 + h) / 3) characters for an h-character host. */
  @Test
  void theStringHasTheLengthTheSpecificationGives() throws Exception {
    for (String host : new String[] {"a", "127.0.0.1", "relay.example.org", "h".repeat(253)}) {
      RelayAddress relay = new RelayAddress(RELAY.keyHash(), host, 7443);
      String code = Invitation.create(relay, FP, NOW.plusSeconds(60)).toCompactString();
      assertThat(code).hasSize(4 + (int) Math.ceil(4 * (112 + host.length()) / 3.0));
      assertThat(Invitation.parse("  " + code + "\n", NOW).relay()).isEqualTo(relay);
    }
    assertThat(Invitation.create(new RelayAddress(RELAY.keyHash(), "127.0.0.1", 7443), FP, NOW.plusSeconds(60))
        .toCompactString()).hasSize(166);
  }

  @Test
  void toStringNeverShowsTheSecret() {
    Invitation inv = Invitation.create(RELAY, FP, NOW.plusSeconds(60));
    String hex = HexFormat.of().formatHex(inv.secret());
    String b64 = Base64.getUrlEncoder().withoutPadding().encodeToString(inv.secret());
    assertThat(inv.toString()).doesNotContain(hex).doesNotContain(b64.substring(0, 20))
        .contains("redacted");
  }

  @Test
  void everySingleCharacterTypoIsReportedAsChecksum() {
    String code = Invitation.create(RELAY, FP, NOW.plusSeconds(3600)).toCompactString();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int checked = 0;
    for (int i = Invitation.PREFIX.length(); i < code.length(); i++) {
      for (int j = 0; j < alphabet.length(); j += 7) {
        char c = alphabet.charAt(j);
        if (c == code.charAt(i)) {
          continue;
        }
        String typo = code.substring(0, i) + c + code.substring(i + 1);
        InvalidInvitationException e =
            catchThrowableOfType(InvalidInvitationException.class, () -> Invitation.parse(typo, NOW));
        assertThat(e).as("typo at %d", i).isNotNull();
        assertThat(e.reason()).isIn(Reason.CHECKSUM, Reason.MALFORMED);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(1000);
  }

  @Test
  void truncatedOrWrongPrefixOrForeignCharacters() {
    String code = Invitation.create(RELAY, FP, NOW.plusSeconds(3600)).toCompactString();
    for (int cut = 0; cut < code.length(); cut += 5) {
      String t = code.substring(0, cut);
      assertThatThrownBy(() -> Invitation.parse(t, NOW)).isInstanceOf(InvalidInvitationException.class);
    }
    assertThat(reasonOf("hello")).isEqualTo(Reason.MALFORMED);
    assertThat(reasonOf(code.replace("bc1-", "bc2-"))).isEqualTo(Reason.MALFORMED);
    assertThat(reasonOf(code + "!")).isEqualTo(Reason.CHECKSUM);
    assertThat(reasonOf(null)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void expiredInvitationSaysSo() {
    Invitation inv = Invitation.create(RELAY, FP, NOW.plusSeconds(10));
    String code = inv.toCompactString();
    InvalidInvitationException e =
        catchThrowableOfType(
            InvalidInvitationException.class, () -> Invitation.parse(code, NOW.plusSeconds(10)));
    assertThat(e.reason()).isEqualTo(Reason.EXPIRED);
    assertThat(e.getMessage()).contains("expired");
    assertThat(inv.isExpired(NOW.plusSeconds(11))).isTrue();
  }

  @Test
  void otherVersionIsReportedAsVersion() throws Exception {
    // Re-encode a valid payload with version 3 (unknown) and a correct checksum.
    String code = Invitation.create(RELAY, FP, NOW.plusSeconds(3600)).toCompactString();
    byte[] all = Base64.getUrlDecoder().decode(code.substring(4));
    byte[] payload = Arrays.copyOf(all, all.length - 4);
    payload[0] = 3;
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    sha.update("Backchannel-v1 invitation checksum".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    byte[] sum = Arrays.copyOf(sha.digest(payload), 4);
    byte[] v2 = Arrays.copyOf(payload, payload.length + 4);
    System.arraycopy(sum, 0, v2, payload.length, 4);
    String code2 = "bc1-" + Base64.getUrlEncoder().withoutPadding().encodeToString(v2);
    assertThat(reasonOf(code2)).isEqualTo(Reason.VERSION);
  }

  @Test
  void aClusterAddressTravelsWhole() throws Exception {
    RelayAddress cluster = RelayAddress.parse("bcr://" + RELAY.keyHash() + "@n1.example:7443,10.0.0.2:7444,n3:1");
    Invitation inv = Invitation.create(cluster, FP, NOW.plusSeconds(3600));
    String code = inv.toCompactString();
    Invitation back = Invitation.parse(code, NOW);
    assertThat(back.relay()).isEqualTo(cluster);
    assertThat(back.relay().endpoints()).hasSize(3);
    assertThat(back.toCompactString()).isEqualTo(code);
    assertThat(Base64.getUrlDecoder().decode(code.substring(4))[0]).isEqualTo((byte) 2);
    // One endpoint is still the version 1 layout, which older readers know.
    assertThat(Base64.getUrlDecoder().decode(
        Invitation.create(RELAY, FP, NOW.plusSeconds(3600)).toCompactString().substring(4))[0]).isEqualTo((byte) 1);
  }

  @Test
  void version2WithOneEndpointOrTrailingBytesIsMalformed() throws Exception {
    RelayAddress cluster = RelayAddress.parse("bcr://" + RELAY.keyHash() + "@a:1,b:2");
    byte[] payload = payloadOf(Invitation.create(cluster, FP, NOW.plusSeconds(3600)).toCompactString());
    int countAt = 1 + 32 + 32 + 32 + 8;
    assertThat(payload[countAt]).isEqualTo((byte) 2);
    byte[] one = payload.clone();
    one[countAt] = 1;
    assertThat(reasonOf(withChecksum(one))).isEqualTo(Reason.MALFORMED);
    byte[] nine = payload.clone();
    nine[countAt] = 9;
    assertThat(reasonOf(withChecksum(nine))).isEqualTo(Reason.MALFORMED);
    byte[] trailing = Arrays.copyOf(payload, payload.length + 1);
    assertThat(reasonOf(withChecksum(trailing))).isEqualTo(Reason.MALFORMED);
    byte[] cut = Arrays.copyOf(payload, payload.length - 1);
    assertThat(reasonOf(withChecksum(cut))).isEqualTo(Reason.MALFORMED);
    // A version 1 payload with bytes after the host stays malformed, as before.
    byte[] v1 = payloadOf(Invitation.create(RELAY, FP, NOW.plusSeconds(3600)).toCompactString());
    assertThat(reasonOf(withChecksum(Arrays.copyOf(v1, v1.length + 3)))).isEqualTo(Reason.MALFORMED);
  }

  private static byte[] payloadOf(String code) {
    byte[] all = Base64.getUrlDecoder().decode(code.substring(4));
    return Arrays.copyOf(all, all.length - 4);
  }

  private static String withChecksum(byte[] payload) throws Exception {
    java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
    sha.update("Backchannel-v1 invitation checksum".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    byte[] sum = Arrays.copyOf(sha.digest(payload), 4);
    byte[] all = Arrays.copyOf(payload, payload.length + 4);
    System.arraycopy(sum, 0, all, payload.length, 4);
    return "bc1-" + Base64.getUrlEncoder().withoutPadding().encodeToString(all);
  }

  @Test
  void randomTextOnlyEverGivesTypedErrors() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] junk = new byte[random.nextInt(200)];
      random.nextBytes(junk);
      String text =
          (random.nextBoolean() ? "bc1-" : "")
              + (random.nextBoolean()
                  ? Base64.getUrlEncoder().withoutPadding().encodeToString(junk)
                  : new String(junk, java.nio.charset.StandardCharsets.ISO_8859_1));
      try {
        Invitation.parse(text, NOW);
      } catch (InvalidInvitationException expected) {
        // the only allowed failure
      }
    }
  }

  private static Reason reasonOf(String text) {
    InvalidInvitationException e =
        catchThrowableOfType(InvalidInvitationException.class, () -> Invitation.parse(text, NOW));
    return e == null ? null : e.reason();
  }

  private static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }
}
