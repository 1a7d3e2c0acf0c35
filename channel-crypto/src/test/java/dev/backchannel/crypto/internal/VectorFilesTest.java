package dev.backchannel.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every copied vector file is present and is byte for byte the one its README describes. */
class VectorFilesTest {
  private static final String[] FILES = {
    "x25519_test.json", "ed25519_test.json", "chacha20_poly1305_test.json", "aes_gcm_test.json",
    "hkdf_sha256_test.json", "hmac_sha256_test.json", "mlkem_768_test.json",
    "mlkem_768_encaps_test.json", "mlkem_768_keygen_seed_test.json",
    "mlkem_768_semi_expanded_decaps_test.json"
  };

  @Test
  void everyFileMatchesTheSha256InItsReadme() throws Exception {
    String readme;
    try (InputStream in = getClass().getResourceAsStream("/vectors/wycheproof/README.md")) {
      assertThat(in).as("README.md with the notice of origin").isNotNull();
      readme = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String f : FILES) {
      Matcher m = Pattern.compile("(\\d+) ([0-9a-f]{64}) wycheproof/testvectors_v1/" + Pattern.quote(f))
          .matcher(readme);
      assertThat(m.find()).as("README lists " + f).isTrue();
      byte[] data;
      try (InputStream in = getClass().getResourceAsStream("/vectors/wycheproof/" + f)) {
        assertThat(in).as(f + " is present").isNotNull();
        data = in.readAllBytes();
      }
      assertThat(data.length).as(f + " size").isEqualTo(Integer.parseInt(m.group(1)));
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)))
          .as(f + " SHA-256").isEqualTo(m.group(2));
    }
  }
}
