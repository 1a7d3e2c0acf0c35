package dev.backchannel.crypto.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.IdentityKeyPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Agreement signatures are disjoint from every other signature of the protocol. Every message
 * the protocol signs with Ed25519 begins with its label, so it is enough that no label of the
 * protocol is a prefix of the agreement label and the agreement label is a prefix of none: then
 * no agreement message can equal any other signed message, whatever follows the labels. The
 * labels are collected from the sources of every module and from the registry in PROTOCOL.md,
 * so a label added later is checked too. ML-DSA-65 keys are derived for agreements only, and
 * their signatures carry the same label as the context string.
 */
class SignatureDomainTest {
  private static final Pattern LITERAL = Pattern.compile("\"(Backchannel-v1 [^\"]*)\"");
  private static final Pattern REGISTRY_ROW = Pattern.compile("^\\| `(Backchannel-v1 [^`]*)` \\|", Pattern.MULTILINE);

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("docs/PROTOCOL.md"))) {
      p = p.getParent();
    }
    assertThat(p).as("repository root with docs/PROTOCOL.md").isNotNull();
    return p;
  }

  private static Set<String> labelsInSources(Path root) throws IOException {
    Set<String> labels = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files
          .filter(x -> x.toString().endsWith(".java") && x.toString().contains("/src/main/"))::iterator) {
        Matcher m = LITERAL.matcher(Files.readString(f));
        while (m.find()) {
          labels.add(m.group(1));
        }
      }
    }
    return labels;
  }

  private static Set<String> labelsInRegistry(Path root) throws IOException {
    String doc = Files.readString(root.resolve("docs/PROTOCOL.md"));
    String registry = doc.substring(doc.indexOf("## Label registry"));
    Set<String> labels = new TreeSet<>();
    Matcher m = REGISTRY_ROW.matcher(registry);
    while (m.find()) {
      labels.add(m.group(1));
    }
    return labels;
  }

  @Test
  void theAgreementLabelIsPrefixFreeAgainstEveryOtherLabel() throws IOException {
    Path root = repoRoot();
    Set<String> all = labelsInSources(root);
    all.addAll(labelsInRegistry(root));
    assertThat(all).contains("Backchannel-v1 identity x25519", "Backchannel-v1 prekey",
        "Backchannel-v1 relay-auth", SignatureDomain.LABEL_TEXT);
    for (String other : all) {
      if (other.equals(SignatureDomain.LABEL_TEXT)) {
        continue;
      }
      assertThat(SignatureDomain.LABEL_TEXT).as(other).doesNotStartWith(other);
      assertThat(other).as(other).doesNotStartWith(SignatureDomain.LABEL_TEXT);
    }
  }

  @Test
  void theRegistryListsEveryAgreementLabel() throws IOException {
    assertThat(labelsInRegistry(repoRoot())).contains(SignatureDomain.LABEL_TEXT,
        "Backchannel-v1 agreement ml-dsa-65 seed", "Backchannel-v1 agreement conversation");
    assertThat(new String(SignatureDomain.MLDSA_SEED_LABEL, StandardCharsets.US_ASCII))
        .isEqualTo("Backchannel-v1 agreement ml-dsa-65 seed");
    assertThat(new String(ConversationCommitment.LABEL, StandardCharsets.US_ASCII))
        .isEqualTo("Backchannel-v1 agreement conversation");
  }

  @Test
  void signaturesDoNotCrossDomains() throws Exception {
    try (IdentityKeyPair id = IdentityKeyPair.generate(); AgreementKeys keys = AgreementKeys.derive(id)) {
      byte[] hash = new byte[32];
      byte[] agreementEd = id.sign(SignatureDomain.ed25519Message(hash));
      // The same bytes without the label (as another sub-protocol would sign them) do not verify.
      assertThat(Ed25519.verify(id.publicKey().ed25519(), hash, agreementEd)).isFalse();
      byte[] ml = MlDsa65.sign(deriveSeed(keys), SignatureDomain.LABEL, hash, null);
      assertThat(MlDsa65.verify(keys.mlDsa65PublicKey().toByteArray(), SignatureDomain.LABEL, hash, ml)).isTrue();
      assertThat(MlDsa65.verify(keys.mlDsa65PublicKey().toByteArray(), new byte[0], hash, ml)).isFalse();
      assertThat(MlDsa65.verify(keys.mlDsa65PublicKey().toByteArray(),
          "Backchannel-v1 prekey".getBytes(StandardCharsets.US_ASCII), hash, ml)).isFalse();
    }
  }

  private static byte[] deriveSeed(AgreementKeys keys) throws Exception {
    var f = AgreementKeys.class.getDeclaredField("mlDsaSeed");
    f.setAccessible(true);
    return ((dev.backchannel.crypto.SecretBytes) f.get(keys))
        .toByteArray(dev.backchannel.crypto.InsecureSecretAccess.get());
  }
}
