package dev.backchannel.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.MalformedInputException;
import org.junit.jupiter.api.Test;

/** ML-KEM-768 against the four Wycheproof files, plus round trips. */
class MlKem768KnownAnswerTest {
  @Test
  void keygenFromSeed() {
    int n = 0;
    for (Wycheproof.Case c : Wycheproof.cases("mlkem_768_keygen_seed_test.json")) {
      assertThat(MlKem768.publicKey(c.hex("seed"))).as(c.toString()).isEqualTo(c.hex("ek"));
      assertThat(MlKem768.expandedPrivateKey(c.hex("seed"))).as(c.toString()).isEqualTo(c.hex("dk"));
      n++;
    }
    assertThat(n).isEqualTo(100);
  }

  @Test
  void decapsulationIncludingImplicitRejection() throws Exception {
    int valid = 0;
    int refused = 0;
    for (Wycheproof.Case c : Wycheproof.cases("mlkem_768_test.json")) {
      if (c.result().equals("valid")) {
        if (c.has("ek") && !c.test().get("ek").asText().isEmpty()) {
          assertThat(MlKem768.publicKey(c.hex("seed"))).as(c.toString()).isEqualTo(c.hex("ek"));
        }
        assertThat(MlKem768.decapsulate(c.hex("seed"), c.hex("c"))).as(c.toString()).isEqualTo(c.hex("K"));
        valid++;
      } else {
        assertThatThrownBy(() -> MlKem768.decapsulate(c.hex("seed"), c.hex("c")))
            .as(c.toString()).isInstanceOf(MalformedInputException.class);
        refused++;
      }
    }
    System.out.printf("ML-KEM-768 decaps Wycheproof: %d valid, %d wrong lengths refused%n", valid, refused);
    assertThat(valid).isEqualTo(153);
    assertThat(refused).isEqualTo(40);
  }

  @Test
  void deterministicEncapsulationAndKeyChecks() throws Exception {
    int valid = 0;
    int refused = 0;
    for (Wycheproof.Case c : Wycheproof.cases("mlkem_768_encaps_test.json")) {
      if (c.result().equals("valid")) {
        MlKem768.Encapsulation e = MlKem768.encapsulate(c.hex("ek"), c.hex("m"));
        assertThat(e.ciphertext()).as(c.toString()).isEqualTo(c.hex("c"));
        assertThat(e.sharedSecret()).as(c.toString()).isEqualTo(c.hex("K"));
        valid++;
      } else {
        assertThatThrownBy(() -> MlKem768.encapsulate(c.hex("ek"), c.hex("m")))
            .as(c.toString()).isInstanceOf(MalformedInputException.class);
        assertThatThrownBy(() -> MlKem768.checkedPublicKey(c.hex("ek")))
            .as(c.toString()).isInstanceOf(MalformedInputException.class);
        refused++;
      }
    }
    System.out.printf("ML-KEM-768 encaps Wycheproof: %d valid, %d invalid keys refused%n", valid, refused);
    assertThat(valid).isEqualTo(133);
    assertThat(refused).isEqualTo(132);
  }

  @Test
  void expandedKeyDecapsulationChecksTheKey() throws Exception {
    int valid = 0;
    int refused = 0;
    for (Wycheproof.Case c : Wycheproof.cases("mlkem_768_semi_expanded_decaps_test.json")) {
      if (c.result().equals("valid")) {
        assertThat(MlKem768.decapsulateExpanded(c.hex("dk"), c.hex("c"))).as(c.toString()).isEqualTo(c.hex("K"));
        valid++;
      } else {
        assertThatThrownBy(() -> MlKem768.decapsulateExpanded(c.hex("dk"), c.hex("c")))
            .as(c.toString()).isInstanceOf(MalformedInputException.class);
        refused++;
      }
    }
    assertThat(valid).isEqualTo(3);
    assertThat(refused).isEqualTo(6);
  }

  @Test
  void roundTrip() throws Exception {
    byte[] seed = MlKem768.generateSeed();
    MlKem768.Encapsulation e = MlKem768.encapsulate(MlKem768.publicKey(seed));
    assertThat(e.ciphertext()).hasSize(MlKem768.CIPHERTEXT_LENGTH);
    assertThat(MlKem768.decapsulate(seed, e.ciphertext())).isEqualTo(e.sharedSecret());
    byte[] flipped = e.ciphertext().clone();
    flipped[0] ^= 1;
    assertThat(MlKem768.decapsulate(seed, flipped)).hasSize(32).isNotEqualTo(e.sharedSecret());
  }
}
