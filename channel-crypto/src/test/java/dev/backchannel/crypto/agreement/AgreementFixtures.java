package dev.backchannel.crypto.agreement;

import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The inputs of the committed agreement vectors ({@code golden/agreement/}): the two identities
 * of release 0.1.0's golden files and fixed values for everything else. Also used by the tests
 * that need a real, complete agreement.
 */
final class AgreementFixtures {
  static final String TITLE = "Ceasefire terms";
  static final String TEXT = "Article 1. Both sides hold their positions.\r\n"
      + "Article 2. Talks resume in 30 days.\r\n";
  static final long NOT_BEFORE = 1_767_225_600L; // 2026-01-01T00:00:00Z
  static final long EXPIRES_AT = 1_798_761_600L; // 2027-01-01T00:00:00Z

  private AgreementFixtures() {}

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static byte[] id() {
    byte[] id = new byte[16];
    for (int i = 0; i < 16; i++) {
      id[i] = (byte) i;
    }
    return id;
  }

  static SecretBytes salt() {
    return SecretBytes.copyOf(filled(32, 0x11), InsecureSecretAccess.get());
  }

  static byte[] binding() {
    return filled(32, 0x22);
  }

  static byte[] supersedes() {
    return filled(32, 0x5e);
  }

  static byte[] resource(String path) {
    try (InputStream in = AgreementFixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static IdentityKeyPair alice() {
    return parse("/golden/0.1.0/alice-identity.bin");
  }

  static IdentityKeyPair bob() {
    return parse("/golden/0.1.0/bob-identity.bin");
  }

  private static IdentityKeyPair parse(String path) {
    try {
      return IdentityKeyPair.parse(resource(path));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] textBytes() {
    return TEXT.getBytes(StandardCharsets.UTF_8);
  }

  /** The vector terms for the given keys. */
  static AgreementTerms terms(AgreementKeys alice, AgreementKeys bob) throws Exception {
    return new AgreementTerms(ByteValue.copyOf(id()), TITLE, AgreementText.sha256(textBytes()),
        List.of(alice.party("Alice", PartyRole.SIGNATORY), bob.party("Bob", PartyRole.SIGNATORY)),
        NOT_BEFORE, EXPIRES_AT, Optional.of(ByteValue.copyOf(supersedes())),
        ConversationCommitment.commit(salt(), binding()));
  }

  /** The vector agreement, signed deterministically by both, with the text embedded. */
  static SignedAgreement complete(AgreementKeys alice, AgreementKeys bob) throws Exception {
    AgreementTerms t = terms(alice, bob);
    return SignedAgreement.of(t)
        .withSignature(alice.sign(t, null))
        .withSignature(bob.sign(t, null))
        .withText(textBytes());
  }
}
