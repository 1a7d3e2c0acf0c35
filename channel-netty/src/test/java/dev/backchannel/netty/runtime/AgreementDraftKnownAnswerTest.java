package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.agreement.AgreementKeys;
import dev.backchannel.crypto.agreement.AgreementTerms;
import dev.backchannel.crypto.agreement.AgreementText;
import dev.backchannel.netty.internal.runtime.AgreementProposal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The terms both sides build from a proposal, against values computed from PROTOCOL.md alone
 * ({@code golden/agreement-flow/draft-vectors.txt}): the conversation binding, the commitment,
 * the terms' length and hash, from either side's point of view.
 */
class AgreementDraftKnownAnswerTest {
  private static byte[] resource(String name) throws IOException {
    try (InputStream in = AgreementDraftKnownAnswerTest.class.getResourceAsStream("/golden/agreement-flow/" + name)) {
      return in.readAllBytes();
    }
  }

  private static Map<String, String> vectors() throws IOException {
    Map<String, String> v = new HashMap<>();
    for (String line : new String(resource("draft-vectors.txt"), StandardCharsets.UTF_8).split("\n")) {
      if (!line.startsWith("#") && line.contains(" = ")) {
        v.put(line.substring(0, line.indexOf(" = ")), line.substring(line.indexOf(" = ") + 3));
      }
    }
    return v;
  }

  @Test
  void termsFromAProposalMatchTheVectors() throws Exception {
    Map<String, String> v = vectors();
    HexFormat hex = HexFormat.of();
    try (IdentityKeyPair alice = IdentityKeyPair.parse(resource("alice-identity.bin"));
        IdentityKeyPair bob = IdentityKeyPair.parse(resource("bob-identity.bin"));
        AgreementKeys aliceKeys = AgreementKeys.derive(alice);
        AgreementKeys bobKeys = AgreementKeys.derive(bob)) {
      byte[] text = AgreementText.canonical(resource("agreement.txt"));
      byte[] id = new byte[16];
      for (int i = 0; i < 16; i++) {
        id[i] = (byte) i;
      }
      byte[] salt = new byte[32];
      java.util.Arrays.fill(salt, (byte) 0x11);
      AgreementProposal p = AgreementProposal.newBuilder().setId(ByteString.copyFrom(id)).setTitle("Ceasefire terms")
          .setText(ByteString.copyFrom(text)).setNotBefore(1767225600L).setExpiresAt(1798761600L)
          .setSalt(ByteString.copyFrom(salt)).setProposerLabel("minister").setContactLabel("envoy")
          .setProposerMlDsaPublic(ByteString.copyFrom(aliceKeys.mlDsa65PublicKey().toByteArray())).build();

      assertThat(hex.formatHex(AgreementDraft.binding(alice.publicKey(), bob.publicKey()))).isEqualTo(v.get("binding"));
      assertThat(hex.formatHex(AgreementDraft.binding(bob.publicKey(), alice.publicKey()))).isEqualTo(v.get("binding"));
      AgreementTerms t = AgreementDraft.terms(p, alice.publicKey(), aliceKeys.mlDsa65PublicKey().toByteArray(),
          bob.publicKey(), bobKeys.mlDsa65PublicKey().toByteArray());
      assertThat(t.textSha256().hex()).isEqualTo(v.get("text_sha256"));
      assertThat(t.conversationCommitment().hex()).isEqualTo(v.get("conversation_commitment"));
      assertThat(t.encode()).hasSize(Integer.parseInt(v.get("terms_length")));
      assertThat(t.hash().hex()).isEqualTo(v.get("terms_sha256"));
      assertThat(t.supersedes()).isEmpty();

      // A draft that lists the receiver's own ML-DSA-65 key for the proposer makes no terms.
      assertThatThrownBy(() -> AgreementDraft.terms(p, alice.publicKey(), bobKeys.mlDsa65PublicKey().toByteArray(),
          bob.publicKey(), bobKeys.mlDsa65PublicKey().toByteArray())).isInstanceOf(IllegalArgumentException.class);
      // A short salt or id makes no terms either.
      assertThatThrownBy(() -> AgreementDraft.terms(p.toBuilder().setSalt(ByteString.copyFrom(new byte[5])).build(),
          alice.publicKey(), aliceKeys.mlDsa65PublicKey().toByteArray(), bob.publicKey(),
          bobKeys.mlDsa65PublicKey().toByteArray())).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
