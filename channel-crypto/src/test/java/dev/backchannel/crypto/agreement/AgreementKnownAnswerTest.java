package dev.backchannel.crypto.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed vectors under {@code golden/agreement/} (inputs in {@link AgreementFixtures} and
 * {@code vectors.txt}, PROTOCOL.md "Agreements", "Vectors"): this code reproduces every value and
 * every file byte for byte, and the verifier gives the expected status for each file.
 */
class AgreementKnownAnswerTest {
  private static final String DIR = "/golden/agreement/";

  private static Map<String, String> committedValues() {
    Map<String, String> m = new LinkedHashMap<>();
    String txt = new String(AgreementFixtures.resource(DIR + "vectors.txt"), StandardCharsets.US_ASCII);
    for (String line : txt.split("\n")) {
      int eq = line.indexOf(" = ");
      m.put(line.substring(0, eq), line.substring(eq + 3));
    }
    return m;
  }

  @Test
  void everyValueIsReproduced() throws Exception {
    Map<String, String> committed = committedValues();
    assertThat(committed).hasSizeGreaterThan(15);
    assertThat(AgreementVectorWriter.values()).containsExactlyEntriesOf(committed);
  }

  @Test
  void everyFileIsReproduced() throws Exception {
    for (Map.Entry<String, byte[]> e : AgreementVectorWriter.files().entrySet()) {
      assertThat(e.getValue()).as(e.getKey()).isEqualTo(AgreementFixtures.resource(DIR + e.getKey()));
    }
  }

  @Test
  void termsHashIsSha256OfTheTerms() {
    Map<String, String> v = committedValues();
    assertThat(ByteValue.copyOf(Sha256.of(ByteValue.fromHex(v.get("terms")).toByteArray())).hex())
        .isEqualTo(v.get("terms_sha256"));
  }

  @Test
  void committedFilesVerify() {
    byte[] text = AgreementFixtures.resource(DIR + "agreement.txt");
    Verification complete = Agreements.verify(AgreementFixtures.resource(DIR + "complete.bcagree"), text);
    assertThat(complete.status()).isEqualTo(Verification.Status.COMPLETE);
    assertThat(complete.title()).isEqualTo(AgreementFixtures.TITLE);
    assertThat(Agreements.verify(AgreementFixtures.resource(DIR + "complete.bcagree.asc")).status())
        .isEqualTo(Verification.Status.COMPLETE);
    Verification offer = Agreements.verify(AgreementFixtures.resource(DIR + "offer.bcagree"), text);
    assertThat(offer.status()).isEqualTo(Verification.Status.OFFER);
    assertThat(offer.parties()).extracting(Verification.PartyStatus::signed).containsOnlyOnce(true);
  }

  @Test
  void derivedKeysSignVerifiably() throws Exception {
    Map<String, String> v = committedValues();
    byte[] hash = ByteValue.fromHex(v.get("terms_sha256")).toByteArray();
    for (String who : new String[] {"alice", "bob"}) {
      assertThat(MlDsa65.publicKey(ByteValue.fromHex(v.get(who + ".ml_dsa_65_xi")).toByteArray()))
          .isEqualTo(ByteValue.fromHex(v.get(who + ".ml_dsa_65_public")).toByteArray());
      assertThat(MlDsa65.verify(ByteValue.fromHex(v.get(who + ".ml_dsa_65_public")).toByteArray(),
          SignatureDomain.LABEL, hash,
          ByteValue.fromHex(v.get(who + ".ml_dsa_65_signature")).toByteArray())).isTrue();
    }
  }
}
