package dev.backchannel.crypto.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.crypto.IdentityKeyPair;
import org.junit.jupiter.api.Test;

/** The ML-DSA-65 key derived from an identity: stable, distinct per identity, and secret. */
class AgreementKeysTest {
  @Test
  void theSameIdentityAlwaysGivesTheSameKeyAndARestoredOneToo() throws Exception {
    try (IdentityKeyPair id = IdentityKeyPair.generate();
        IdentityKeyPair restored = IdentityKeyPair.parse(id.toByteArray());
        IdentityKeyPair other = IdentityKeyPair.generate();
        AgreementKeys a = AgreementKeys.derive(id);
        AgreementKeys b = AgreementKeys.derive(restored);
        AgreementKeys c = AgreementKeys.derive(other)) {
      assertThat(a.mlDsa65PublicKey()).isEqualTo(b.mlDsa65PublicKey());
      assertThat(a.mlDsa65PublicKey()).isNotEqualTo(c.mlDsa65PublicKey());
      assertThat(a.mlDsa65PublicKey().length()).isEqualTo(1952);
      assertThat(a.identity()).isEqualTo(id.publicKey());
    }
  }

  @Test
  void signsOnlyTermsThatListIt() throws Exception {
    try (IdentityKeyPair a = AgreementFixtures.alice(); IdentityKeyPair b = AgreementFixtures.bob();
        IdentityKeyPair c = IdentityKeyPair.generate();
        AgreementKeys ak = AgreementKeys.derive(a); AgreementKeys bk = AgreementKeys.derive(b);
        AgreementKeys ck = AgreementKeys.derive(c)) {
      AgreementTerms t = AgreementFixtures.terms(ak, bk);
      assertThatThrownBy(() -> ck.sign(t)).isInstanceOf(IllegalArgumentException.class);
      AgreementTerms wrongKey = new AgreementTerms(t.id(), t.title(), t.textSha256(),
          java.util.List.of(new Party("Alice", PartyRole.SIGNATORY, a.publicKey(), ck.mlDsa65PublicKey()),
              bk.party("Bob", PartyRole.SIGNATORY)),
          t.notBefore(), t.expiresAt(), t.supersedes(), t.conversationCommitment());
      assertThatThrownBy(() -> ak.sign(wrongKey)).isInstanceOf(IllegalArgumentException.class);
      // Bob's ML-DSA-65 key in Alice's entry: one signature could then serve both; refused.
      assertThatThrownBy(() -> new AgreementTerms(t.id(), t.title(), t.textSha256(),
          java.util.List.of(new Party("Alice", PartyRole.SIGNATORY, a.publicKey(), bk.mlDsa65PublicKey()),
              bk.party("Bob", PartyRole.SIGNATORY)),
          t.notBefore(), t.expiresAt(), t.supersedes(), t.conversationCommitment()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("share an ML-DSA-65 key");
    }
  }

  @Test
  void closeZeroesTheSeedAndToStringShowsNoSecret() {
    try (IdentityKeyPair id = IdentityKeyPair.generate()) {
      AgreementKeys k = AgreementKeys.derive(id);
      assertThat(k.toString()).contains("redacted").doesNotContain(k.mlDsa65PublicKey().hex());
      k.close();
      k.close();
      assertThatThrownBy(() -> k.sign(null)).isInstanceOf(RuntimeException.class);
    }
  }
}
