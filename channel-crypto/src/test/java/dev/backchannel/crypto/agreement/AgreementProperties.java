package dev.backchannel.crypto.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.crypto.IdentityKeyPair;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Roundtrip: any valid terms, signed by every party and exported in either form, parse back to
 * the same value, re-encode to the same bytes and verify COMPLETE against their text; with a
 * party's signature left out they verify as an OFFER.
 */
class AgreementProperties {
  private static IdentityKeyPair aliceId;
  private static IdentityKeyPair bobId;
  private static AgreementKeys alice;
  private static AgreementKeys bob;

  @BeforeContainer
  static void keys() {
    aliceId = IdentityKeyPair.generate();
    bobId = IdentityKeyPair.generate();
    alice = AgreementKeys.derive(aliceId);
    bob = AgreementKeys.derive(bobId);
  }

  @AfterContainer
  static void close() {
    alice.close();
    bob.close();
    aliceId.close();
    bobId.close();
  }

  @Property(tries = 60)
  void signedAgreementsRoundtrip(
      @ForAll @StringLength(min = 1, max = 60) @AlphaChars @Chars({' ', 'é', '€', '中'}) String title,
      @ForAll @StringLength(min = 1, max = 20) @AlphaChars String aliceLabel,
      @ForAll @StringLength(min = 1, max = 400) @AlphaChars @Chars({' ', '\n', '\r', 'é', 'ß'}) String text,
      @ForAll @LongRange(min = 0, max = AgreementTerms.MAX_TIME - 1) long notBefore,
      @ForAll @LongRange(min = 1, max = 1_000_000_000L) long duration,
      @ForAll boolean supersedes, @ForAll boolean embedText, @ForAll boolean armored)
      throws Exception {
    String cleanText = text.replace("\r", "\r\n") + "\ud83d\ude00"; // and one supplementary character
    long expiresAt = Math.min(AgreementTerms.MAX_TIME, notBefore + duration);
    AgreementTerms t = new AgreementTerms(ByteValue.copyOf(new byte[16]), title,
        AgreementText.sha256(cleanText.getBytes(StandardCharsets.UTF_8)),
        List.of(bob.party("Bob", PartyRole.WITNESS), alice.party(aliceLabel, PartyRole.SIGNATORY)),
        notBefore, expiresAt,
        supersedes ? Optional.of(ByteValue.copyOf(new byte[32])) : Optional.empty(),
        ByteValue.copyOf(new byte[32]));
    assertThat(AgreementTerms.decode(t.encode())).isEqualTo(t);
    SignedAgreement s = SignedAgreement.of(t).withSignature(alice.sign(t)).withSignature(bob.sign(t));
    if (embedText) {
      s = s.withText(cleanText.getBytes(StandardCharsets.UTF_8));
    }
    byte[] file = armored ? s.toArmored().getBytes(StandardCharsets.US_ASCII) : s.toBinary();
    SignedAgreement back = SignedAgreement.parse(file);
    assertThat(back).isEqualTo(s);
    assertThat(back.toBinary()).isEqualTo(s.toBinary());
    Verification v = Agreements.verify(file, cleanText.getBytes(StandardCharsets.UTF_8));
    assertThat(v.status()).isEqualTo(Verification.Status.COMPLETE);
    assertThat(v.title()).isEqualTo(title);
    SignedAgreement offer = new SignedAgreement(t, s.signatures().subList(0, 1), s.text());
    assertThat(Agreements.verify(offer.toBinary()).status()).isEqualTo(Verification.Status.OFFER);
  }
}
