package dev.backchannel.crypto.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.IdentityKeyPair;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The verifier's statuses and its resistance to tampering: every single-byte change of a file or
 * of the text, moved signatures, added or removed parties, a downgrade to one algorithm,
 * truncation: each INVALID with a reason, never an exception.
 */
class AgreementsTest {
  private static IdentityKeyPair aliceId;
  private static IdentityKeyPair bobId;
  private static AgreementKeys alice;
  private static AgreementKeys bob;
  private static SignedAgreement complete;
  private static byte[] file;

  @BeforeAll
  static void setUp() throws Exception {
    aliceId = AgreementFixtures.alice();
    bobId = AgreementFixtures.bob();
    alice = AgreementKeys.derive(aliceId);
    bob = AgreementKeys.derive(bobId);
    complete = AgreementFixtures.complete(alice, bob);
    file = complete.toBinary();
  }

  @AfterAll
  static void tearDown() {
    alice.close();
    bob.close();
    aliceId.close();
    bobId.close();
  }

  private static void assertInvalid(Verification v, String reasonPart) {
    assertThat(v.status()).isEqualTo(Verification.Status.INVALID);
    assertThat(v.reason()).contains(reasonPart).isNotEqualTo(Agreements.INTERNAL_ERROR);
  }

  @Test
  void completeAgreementVerifiesInBothForms() {
    for (byte[] f : List.of(file, complete.toArmored().getBytes(StandardCharsets.US_ASCII))) {
      Verification v = Agreements.verify(f, AgreementFixtures.textBytes());
      assertThat(v.status()).isEqualTo(Verification.Status.COMPLETE);
      assertThat(v.reason()).isEqualTo("signed by all 2 parties");
      assertThat(v.title()).isEqualTo(AgreementFixtures.TITLE);
      assertThat(v.textChecked()).isTrue();
      assertThat(v.textSha256()).contains(complete.terms().textSha256());
      assertThat(v.termsHash()).contains(complete.terms().hash());
      assertThat(v.parties()).extracting(Verification.PartyStatus::label)
          .containsExactlyInAnyOrder("Alice", "Bob");
      assertThat(v.parties()).allMatch(Verification.PartyStatus::signed);
      assertThat(v.parties()).extracting(Verification.PartyStatus::fingerprint).containsExactlyInAnyOrder(
          ByteValue.copyOf(aliceId.publicKey().fingerprint()),
          ByteValue.copyOf(bobId.publicKey().fingerprint()));
    }
  }

  @Test
  void withoutAnyTextTheHashIsReportedUnchecked() throws Exception {
    SignedAgreement noText = new SignedAgreement(complete.terms(), complete.signatures(), Optional.empty());
    Verification v = Agreements.verify(noText.toBinary());
    assertThat(v.status()).isEqualTo(Verification.Status.COMPLETE);
    assertThat(v.textChecked()).isFalse();
    assertThat(Agreements.verify(noText.toBinary(), AgreementFixtures.textBytes()).textChecked()).isTrue();
  }

  @Test
  void oneSignatureIsAnOfferAndNoneIsInvalid() throws Exception {
    AgreementTerms t = complete.terms();
    SignedAgreement offer = SignedAgreement.of(t).withSignature(bob.sign(t));
    Verification v = Agreements.verify(offer.toBinary());
    assertThat(v.status()).isEqualTo(Verification.Status.OFFER);
    assertThat(v.reason()).isEqualTo("signed by 1 of 2 parties; not yet by Alice");
    assertThat(offer.verify()).isEqualTo(v);
    assertThat(v.parties()).filteredOn(Verification.PartyStatus::signed)
        .extracting(Verification.PartyStatus::label).containsExactly("Bob");
    assertInvalid(Agreements.verify(SignedAgreement.of(t).toBinary()), "no party has signed");
  }

  @Test
  void hedgedAndDeterministicSignaturesBothVerifyAndCountersigningReplaces() throws Exception {
    AgreementTerms t = complete.terms();
    PartySignature hedged = alice.sign(t);
    assertThat(hedged.mlDsa65()).isNotEqualTo(alice.sign(t).mlDsa65());
    SignedAgreement a = SignedAgreement.of(t).withSignature(hedged).withSignature(alice.sign(t, null));
    assertThat(a.signatures()).hasSize(1);
    assertThat(a.withSignature(bob.sign(t)).hasSignatureOf(1)).isTrue();
    assertThat(PartySignature.decode(hedged.encode())).isEqualTo(hedged);
  }

  @Test
  void everySingleByteChangeOfTheFileIsInvalid() {
    Random random = new Random(14);
    for (int i = 0; i < file.length; i++) {
      for (int delta : new int[] {0x01, 1 + random.nextInt(255)}) {
        byte[] f = file.clone();
        f[i] ^= (byte) delta;
        Verification v = Agreements.verify(f);
        assertThat(v.status()).as("byte %d ^ %02x", i, delta).isEqualTo(Verification.Status.INVALID);
        assertThat(v.reason()).isNotBlank().isNotEqualTo(Agreements.INTERNAL_ERROR);
      }
    }
  }

  @Test
  void everySingleByteChangeOfTheGivenTextIsInvalid() {
    SignedAgreement noText = new SignedAgreement(complete.terms(), complete.signatures(), Optional.empty());
    byte[] f = noText.toBinary();
    byte[] text = AgreementFixtures.textBytes();
    for (int i = 0; i < text.length; i++) {
      for (int value : new int[] {text[i] ^ 0x01, '\r', '\n', ' ', 0xc3}) {
        if ((byte) value == text[i]) {
          continue;
        }
        byte[] t = text.clone();
        t[i] = (byte) value;
        assertInvalid(Agreements.verify(f, t), "text");
      }
    }
    assertInvalid(Agreements.verify(f, Arrays.copyOf(text, text.length - 1)), "text");
    assertInvalid(Agreements.verify(f, Arrays.copyOf(text, text.length - 2)), "does not match");
    assertInvalid(Agreements.verify(file, "other".getBytes(StandardCharsets.UTF_8)), "does not match");
  }

  @Test
  void everyTruncationIsInvalid() {
    for (int n = 0; n < file.length; n++) {
      assertInvalid(Agreements.verify(Arrays.copyOf(file, n)), "malformed file");
    }
    byte[] longer = Arrays.copyOf(file, file.length + 1);
    assertInvalid(Agreements.verify(longer), "trailing");
  }

  @Test
  void aSignatureMovedFromAnotherAgreementIsInvalid() throws Exception {
    AgreementTerms other = AgreementTerms.propose("Other terms", "other text", complete.terms().parties(),
        java.time.Instant.ofEpochSecond(AgreementFixtures.NOT_BEFORE),
        java.time.Instant.ofEpochSecond(AgreementFixtures.EXPIRES_AT), Optional.empty(),
        complete.terms().conversationCommitment());
    PartySignature foreign = alice.sign(other);
    List<PartySignature> sigs = new ArrayList<>(complete.signatures());
    sigs.set(foreign.partyIndex(), foreign);
    SignedAgreement forged = new SignedAgreement(complete.terms(), sigs, complete.text());
    assertInvalid(Agreements.verify(forged.toBinary()), "does not verify");
    assertThatThrownBy(() -> SignedAgreement.of(complete.terms()).withSignature(foreign))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void aSignatureUnderAnotherPartysIndexIsInvalid() {
    PartySignature s = complete.signatures().get(0);
    PartySignature moved = new PartySignature(1, s.ed25519(), s.mlDsa65());
    SignedAgreement forged = new SignedAgreement(complete.terms(), List.of(moved), complete.text());
    assertInvalid(Agreements.verify(forged.toBinary()), "does not verify");
  }

  @Test
  void addingOrRemovingAPartyInvalidatesTheSignatures() throws Exception {
    AgreementTerms t = complete.terms();
    try (IdentityKeyPair carolId = IdentityKeyPair.generate();
        AgreementKeys carol = AgreementKeys.derive(carolId)) {
      List<Party> more = new ArrayList<>(t.parties());
      more.add(carol.party("Carol", PartyRole.WITNESS));
      AgreementTerms three = withParties(t, more);
      List<PartySignature> moved = reindex(complete.signatures(), t, three);
      assertInvalid(Agreements.verify(new SignedAgreement(three, moved, complete.text()).toBinary()),
          "does not verify");
      // Carol's own signature of the enlarged terms does not rescue it.
      List<PartySignature> withCarol = new ArrayList<>(moved);
      withCarol.add(carol.sign(three));
      assertInvalid(Agreements.verify(new SignedAgreement(three, withCarol, complete.text())
          .toBinary()), "does not verify");

      // Three parties all sign; dropping Carol from the terms breaks the other two signatures.
      SignedAgreement all = SignedAgreement.of(three).withSignature(alice.sign(three))
          .withSignature(bob.sign(three)).withSignature(carol.sign(three));
      assertThat(Agreements.verify(all.toBinary()).status()).isEqualTo(Verification.Status.COMPLETE);
      List<PartySignature> kept = new ArrayList<>(all.signatures());
      kept.removeIf(s -> three.parties().get(s.partyIndex()).identity().equals(carolId.publicKey()));
      assertInvalid(Agreements.verify(new SignedAgreement(t, reindex(kept, three, t), Optional.empty())
          .toBinary()), "does not verify");
      // Dropping only Carol's signature leaves an offer, not a complete agreement.
      assertThat(Agreements.verify(new SignedAgreement(three, kept, Optional.empty()).toBinary())
          .status()).isEqualTo(Verification.Status.OFFER);
    }
  }

  private static AgreementTerms withParties(AgreementTerms t, List<Party> parties) {
    return new AgreementTerms(t.id(), t.title(), t.textSha256(), parties, t.notBefore(),
        t.expiresAt(), t.supersedes(), t.conversationCommitment());
  }

  private static List<PartySignature> reindex(List<PartySignature> sigs, AgreementTerms from,
      AgreementTerms to) {
    List<PartySignature> out = new ArrayList<>();
    for (PartySignature s : sigs) {
      int index = to.indexOf(from.parties().get(s.partyIndex()).identity()).getAsInt();
      out.add(new PartySignature(index, s.ed25519(), s.mlDsa65()));
    }
    return out;
  }

  @Test
  void aDowngradeToOneAlgorithmIsInvalid() {
    for (int which = 0; which < 2; which++) {
      List<PartySignature> sigs = new ArrayList<>();
      for (PartySignature s : complete.signatures()) {
        sigs.add(which == 0
            ? new PartySignature(s.partyIndex(), ByteValue.copyOf(new byte[64]), s.mlDsa65())
            : new PartySignature(s.partyIndex(), s.ed25519(), ByteValue.copyOf(new byte[3309])));
      }
      assertInvalid(Agreements.verify(new SignedAgreement(complete.terms(), sigs, complete.text())
          .toBinary()), "does not verify");
    }
    // A file that carries only the Ed25519 signature is cut short: malformed.
    int sigStart = 4 + 1 + 4 + complete.terms().encode().length + 1;
    byte[] edOnly = new byte[file.length - 3309];
    System.arraycopy(file, 0, edOnly, 0, sigStart + 65);
    System.arraycopy(file, sigStart + 65 + 3309, edOnly, sigStart + 65, file.length - sigStart - 65 - 3309);
    assertInvalid(Agreements.verify(edOnly), "malformed file");
  }

  @Test
  void wronglyArmoredFilesAreInvalid() {
    String armored = complete.toArmored();
    String[] lines = armored.split("\n");
    List<String> bad = List.of(
        armored.replace("BEGIN BACKCHANNEL AGREEMENT", "BEGIN BACKCHANNEL AGREEMENTS"),
        armored.replace("-----END BACKCHANNEL AGREEMENT-----\n", ""),
        armored.replace(lines[lines.length - 2] + "\n", ""),
        armored.replace(lines[lines.length - 2], "=" + "A".repeat(43) + "="),
        armored.replace(lines[1] + "\n", lines[1].substring(0, 32) + "\n" + lines[1].substring(32) + "\n"),
        armored.replace(lines[2], lines[2].substring(0, 63) + "*"),
        armored.replace(lines[2], lines[2].substring(0, 63) + (lines[2].charAt(63) == 'A' ? 'B' : 'A')),
        armored.replace(lines[lines.length - 3] + "\n", ""),
        armored.replace("\n", "\n\n"),
        armored.substring(0, armored.length() / 2),
        "-----BEGIN BACKCHANNEL AGREEMENT-----\n",
        armored + "x",
        armored.replace('Q', 'é'));
    for (String b : bad) {
      assertInvalid(Agreements.verify(b.getBytes(StandardCharsets.UTF_8)), "malformed file");
    }
    String crlf = "\r\n  " + armored.replace("\n", "\r\n") + "\r\n\t ";
    assertThat(Agreements.verify(crlf.getBytes(StandardCharsets.US_ASCII)).status())
        .isEqualTo(Verification.Status.COMPLETE);
  }

  @Test
  void anEmbeddedTextMustMatchAndBeCanonical() throws Exception {
    assertThatThrownBy(() -> complete.withText("another text".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SignedAgreement(complete.terms(), complete.signatures(),
        Optional.of(ByteValue.copyOf(AgreementFixtures.textBytes()))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("canonical");
    assertThat(complete.withText(AgreementFixtures.textBytes()).text()).isEqualTo(complete.text());
  }

  @Test
  void parsedFilesReencodeIdentically() throws Exception {
    assertThat(SignedAgreement.parse(file).toBinary()).isEqualTo(file);
    assertThat(SignedAgreement.parse(complete.toArmored().getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(complete);
    assertThatThrownBy(() -> SignedAgreement.parse(new byte[0])).isInstanceOf(MalformedInputException.class);
    assertThat(Agreements.verify(null).status()).isEqualTo(Verification.Status.INVALID);
  }

  @Test
  void oversizedInputsAreRefusedBeforeParsing() {
    byte[] huge = Arrays.copyOf(file, AgreementFile.MAX_LENGTH + 1);
    assertInvalid(Agreements.verify(huge), "longer than");
    byte[] hugeArmor = new byte[Armor.MAX_LENGTH + 1];
    Arrays.fill(hugeArmor, (byte) 'A');
    System.arraycopy(Armor.BEGIN.getBytes(StandardCharsets.US_ASCII), 0, hugeArmor, 0, Armor.BEGIN.length());
    assertInvalid(Agreements.verify(hugeArmor), "longer than");
    assertInvalid(Agreements.verify(file, new byte[AgreementText.MAX_BYTES + 1]), "text");
  }

  /** The limits PROTOCOL.md states; the largest possible file, armored with CR LF, is accepted. */
  @Test
  void limitsAreTheDocumentedOnes() {
    assertThat(TermsCodec.MAX_LENGTH).isEqualTo(17_501);
    assertThat(AgreementFile.MAX_LENGTH).isEqualTo(1_093_084);
    assertThat(Armor.MAX_LENGTH).isEqualTo(1_507_213);
    assertThat(PartySignature.ENCODED_LENGTH).isEqualTo(3374);
    byte[] largest = new byte[AgreementFile.MAX_LENGTH];
    String crlf = Armor.armor(largest).replace("\n", "\r\n");
    assertThat(crlf.length()).isLessThanOrEqualTo(Armor.MAX_LENGTH - 4096);
  }
}
