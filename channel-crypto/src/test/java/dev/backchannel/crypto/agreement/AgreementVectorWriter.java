package dev.backchannel.crypto.agreement;

import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.internal.Hkdf;
import dev.backchannel.crypto.internal.proto.IdentityKeyPairProto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the agreement vectors under {@code golden/agreement/} from {@link AgreementFixtures}
 * (ML-DSA-65 in its deterministic variant). Run once, when the format is frozen, never from the
 * test command; {@link AgreementKnownAnswerTest} proves the code still produces every byte:
 *
 * <pre>{@code
 * java -cp "channel-crypto/target/test-classes:channel-crypto/target/classes:$(cat cp.txt)" \
 *     dev.backchannel.crypto.agreement.AgreementVectorWriter \
 *     channel-crypto/src/test/resources/golden/agreement
 * }</pre>
 */
public final class AgreementVectorWriter {
  private AgreementVectorWriter() {}

  /** Every named value of the vectors, in hex, in the order of {@code vectors.txt}. */
  static Map<String, String> values() throws Exception {
    Map<String, String> v = new LinkedHashMap<>();
    try (IdentityKeyPair a = AgreementFixtures.alice(); IdentityKeyPair b = AgreementFixtures.bob();
        AgreementKeys ak = AgreementKeys.derive(a); AgreementKeys bk = AgreementKeys.derive(b)) {
      v.put("alice.ed25519_seed", edSeed(a));
      v.put("alice.ml_dsa_65_xi", xi(a));
      v.put("alice.ml_dsa_65_public", ak.mlDsa65PublicKey().hex());
      v.put("alice.identity", ByteValue.copyOf(a.publicKey().encoded()).hex());
      v.put("alice.fingerprint", ByteValue.copyOf(a.publicKey().fingerprint()).hex());
      v.put("bob.ed25519_seed", edSeed(b));
      v.put("bob.ml_dsa_65_xi", xi(b));
      v.put("bob.ml_dsa_65_public", bk.mlDsa65PublicKey().hex());
      v.put("bob.identity", ByteValue.copyOf(b.publicKey().encoded()).hex());
      v.put("bob.fingerprint", ByteValue.copyOf(b.publicKey().fingerprint()).hex());
      v.put("salt", ByteValue.copyOf(AgreementFixtures.salt().toByteArray(
          InsecureSecretAccess.get())).hex());
      v.put("binding", ByteValue.copyOf(AgreementFixtures.binding()).hex());
      v.put("conversation_commitment",
          ConversationCommitment.commit(AgreementFixtures.salt(), AgreementFixtures.binding()).hex());
      v.put("text_sha256", AgreementText.sha256(AgreementFixtures.textBytes()).hex());
      SignedAgreement s = AgreementFixtures.complete(ak, bk);
      v.put("terms", ByteValue.copyOf(s.terms().encode()).hex());
      v.put("terms_sha256", s.terms().hash().hex());
      for (PartySignature p : s.signatures()) {
        String who = s.terms().parties().get(p.partyIndex()).label().toLowerCase();
        v.put(who + ".party_index", Integer.toString(p.partyIndex()));
        v.put(who + ".ed25519_signature", p.ed25519().hex());
        v.put(who + ".ml_dsa_65_signature", p.mlDsa65().hex());
      }
    }
    return v;
  }

  private static String edSeed(IdentityKeyPair k) throws Exception {
    return ByteValue.copyOf(
        IdentityKeyPairProto.parseFrom(k.toByteArray()).getEd25519Private().toByteArray()).hex();
  }

  private static String xi(IdentityKeyPair k) throws Exception {
    byte[] seed = IdentityKeyPairProto.parseFrom(k.toByteArray()).getEd25519Private().toByteArray();
    return ByteValue.copyOf(Hkdf.derive(null, seed,
        "Backchannel-v1 agreement ml-dsa-65 seed".getBytes(StandardCharsets.US_ASCII), 32)).hex();
  }

  /** The vector files, by name. */
  static Map<String, byte[]> files() throws Exception {
    Map<String, byte[]> f = new LinkedHashMap<>();
    try (IdentityKeyPair a = AgreementFixtures.alice(); IdentityKeyPair b = AgreementFixtures.bob();
        AgreementKeys ak = AgreementKeys.derive(a); AgreementKeys bk = AgreementKeys.derive(b)) {
      SignedAgreement complete = AgreementFixtures.complete(ak, bk);
      StringBuilder txt = new StringBuilder();
      values().forEach((k, val) -> txt.append(k).append(" = ").append(val).append('\n'));
      f.put("vectors.txt", txt.toString().getBytes(StandardCharsets.US_ASCII));
      f.put("agreement.txt", AgreementFixtures.textBytes());
      f.put("complete.bcagree", complete.toBinary());
      f.put("complete.bcagree.asc", complete.toArmored().getBytes(StandardCharsets.US_ASCII));
      SignedAgreement offer = SignedAgreement.of(complete.terms())
          .withSignature(complete.signatures().get(0));
      f.put("offer.bcagree", offer.toBinary());
    }
    return f;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (Map.Entry<String, byte[]> e : files().entrySet()) {
      Files.write(dir.resolve(e.getKey()), e.getValue());
    }
  }
}
