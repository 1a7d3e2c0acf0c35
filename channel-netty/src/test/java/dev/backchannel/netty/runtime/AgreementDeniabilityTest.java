package dev.backchannel.netty.runtime;

import static dev.backchannel.netty.runtime.AgreementIntegrationTest.await;
import static dev.backchannel.netty.runtime.AgreementIntegrationTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.backchannel.api.Agreement;
import dev.backchannel.api.AgreementStatus;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Peer;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.agreement.AgreementKeys;
import dev.backchannel.crypto.agreement.AgreementTerms;
import dev.backchannel.crypto.agreement.AgreementText;
import dev.backchannel.crypto.agreement.Agreements;
import dev.backchannel.crypto.agreement.ByteValue;
import dev.backchannel.crypto.agreement.ConversationCommitment;
import dev.backchannel.crypto.agreement.PartyRole;
import dev.backchannel.crypto.agreement.PartySignature;
import dev.backchannel.crypto.agreement.SignedAgreement;
import dev.backchannel.crypto.agreement.Verification;
import dev.backchannel.netty.internal.runtime.Receipt;
import dev.backchannel.netty.internal.runtime.UserMessage;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.relay.store.ForwardingMailboxStore;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an agreement file gives away, through a real relay whose store records every envelope body
 * it is handed. Proved here, and nothing more:
 *
 * <ul>
 *   <li>the exported file, binary and armored, is byte for byte {@code SignedAgreement(terms, the two
 *       party signatures, the canonical text)}, where the terms are rebuilt in the test from the id,
 *       title, text, labels, times, the two identities with the ML-DSA-65 keys derived from them,
 *       no supersedes, and {@code commit(salt, binding)} with the salt read from the proposer's
 *       state: so the file holds no other field, and in particular none of the ordinary messages
 *       (checked also as UTF-8 substrings), no 32-byte run of any envelope body the relay stored,
 *       and not the salt (binary, hex or Base64);
 *   <li>the commitment is not the bare conversation binding, and two agreements of one conversation
 *       carry different commitments that each open to the same binding only under their own salt;
 *   <li>the relay never holds a party signature or the terms hash in the clear;
 *   <li>the ordinary message format ({@code UserMessage}, {@code Receipt}) has no field beyond
 *       sequence, time, body and receipts, and every envelope stored while an ordinary message was
 *       sent is smaller than one party signature, so none of those envelopes could carry one.
 * </ul>
 *
 * It does not prove anything about the ratchet's own deniability (section 7), only that agreements
 * add nothing to what the messages already give away.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AgreementDeniabilityTest {
  static final List<String> BEFORE = List.of("meet at the old bridge at nine", "bring the second draft");
  static final List<String> AFTER = List.of("the ministry must not hear of this", "burn the notes");
  static final String TEXT = "1. The ceasefire holds.\r\n2. Observers arrive on Monday.\r\n";

  @TempDir Path dir;
  RecordingStore recorded;
  RelayServer relay;
  Peer minister;
  Peer envoy;
  Conversation toEnvoy;
  Conversation toMinister;

  @BeforeEach
  void meet() throws Exception {
    recorded = new RecordingStore(new RocksDbMailboxStore(dir.resolve("relay/store")));
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).mailboxStore(recorded).build());
    minister = open("minister");
    envoy = open("envoy");
    PeerTestSupport.Pair p = PeerTestSupport.introduce(minister, envoy, "envoy", "minister");
    toMinister = p.toAlice();
    toEnvoy = p.toBob();
  }

  @AfterEach
  void close() {
    PeerTestSupport.closeAll(relay, minister, envoy);
  }

  Peer open(String name) throws Exception {
    return PeerTestSupport.open(dir, relay, name);
  }

  /** Sends {@code text} both ways; returns the sizes of the bodies stored meanwhile. */
  List<Integer> talk(String text) throws Exception {
    int from = recorded.bodies.size();
    get(toEnvoy.send(text));
    assertThat(toMinister.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo(text);
    get(toMinister.send("re: " + text));
    assertThat(toEnvoy.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("re: " + text);
    List<byte[]> stored = List.copyOf(recorded.bodies); // a receipt may still be stored meanwhile
    return stored.subList(from, stored.size()).stream().map(b -> b.length).toList();
  }

  /** Proposed by the minister, signed by the envoy, countersigned: complete on both sides. */
  Agreement complete(String title, String text) throws Exception {
    Agreement a = toEnvoy.propose(title, text, "minister", Instant.parse("2031-01-01T00:00:00Z"));
    await(() -> envoy.agreement(a.id()).isPresent());
    get(envoy.agreement(a.id()).orElseThrow().sign());
    await(() -> a.status() == AgreementStatus.AWAITING_SIGNATURE);
    get(a.sign());
    await(() -> envoy.agreement(a.id()).orElseThrow().status() == AgreementStatus.COMPLETE);
    return a;
  }

  @Test
  void theFileIsExactlyTheTermsTheSignaturesAndTheTextAndHoldsNothingOfTheConversation() throws Exception {
    List<Integer> ordinary = new ArrayList<>();
    for (String s : BEFORE) {
      ordinary.addAll(talk(s));
    }
    Agreement a = complete("Ceasefire terms", TEXT);
    for (String s : AFTER) {
      ordinary.addAll(talk(s));
    }
    byte[] binary = a.export();
    String armored = envoy.agreement(a.id()).orElseThrow().exportArmored();
    byte[] armoredBytes = armored.getBytes(StandardCharsets.US_ASCII);
    assertThat(SignedAgreement.parse(armoredBytes).toBinary()).isEqualTo(binary);
    Verification v = Agreements.verify(binary, TEXT.getBytes(StandardCharsets.UTF_8));
    assertThat(v.status()).as(v.reason()).isEqualTo(Verification.Status.COMPLETE);
    SignedAgreement file = SignedAgreement.parse(binary);

    // No ordinary message text, in either direction.
    for (String s : concat(BEFORE, AFTER)) {
      for (byte[] f : List.of(binary, armoredBytes)) {
        assertThat(indexOf(f, s.getBytes(StandardCharsets.UTF_8))).as(s).isEqualTo(-1);
        assertThat(indexOf(f, ("re: " + s).getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
      }
    }
    // No 32-byte run of any envelope the relay stored, and no signature or terms hash in any envelope.
    List<byte[]> bodies = List.copyOf(recorded.bodies);
    assertThat(bodies).hasSizeGreaterThan(10);
    assertThat(sharedRuns(bodies, binary)).isZero();
    List<byte[]> signed = new ArrayList<>();
    signed.add(file.terms().hash().toByteArray());
    file.signatures().forEach(s -> signed.add(s.encode()));
    for (byte[] body : bodies) {
      assertThat(sharedRuns(signed, body)).isZero();
    }
    // Every envelope stored while ordinary messages went back and forth is smaller than a signature.
    assertThat(ordinary).isNotEmpty().allMatch(n -> n < PartySignature.ENCODED_LENGTH);

    // Rebuild the terms from what the test knows; the salt and the identities come from the states.
    minister.close();
    envoy.close();
    AgreementAdversaryIntegrationTest.OwnState m = AgreementAdversaryIntegrationTest.readState(dir.resolve("minister"));
    AgreementAdversaryIntegrationTest.OwnState e = AgreementAdversaryIntegrationTest.readState(dir.resolve("envoy"));
    byte[] salt = m.agreements().get(a.id()).getProposal().getSalt().toByteArray();
    assertThat(e.agreements().get(a.id()).getProposal().getSalt().toByteArray()).isEqualTo(salt);
    assertThat(salt).hasSize(ConversationCommitment.SALT_LENGTH);
    IdentityPublicKey mi = m.identity().publicKey();
    IdentityPublicKey ei = e.identity().publicKey();
    byte[] binding = AgreementDraft.binding(mi, ei);
    ByteValue commitment = commit(salt, binding);
    try (AgreementKeys mk = AgreementKeys.derive(m.identity()); AgreementKeys ek = AgreementKeys.derive(e.identity())) {
      AgreementTerms expected = new AgreementTerms(ByteValue.fromHex(a.id()), "Ceasefire terms",
          AgreementText.sha256(TEXT.getBytes(StandardCharsets.UTF_8)),
          List.of(mk.party("minister", PartyRole.SIGNATORY), ek.party("envoy", PartyRole.SIGNATORY)),
          a.notBefore().getEpochSecond(), Instant.parse("2031-01-01T00:00:00Z").getEpochSecond(),
          Optional.empty(), commitment);
      assertThat(file.terms().encode()).isEqualTo(expected.encode());
      byte[] canonical = AgreementText.canonical(TEXT);
      assertThat(new SignedAgreement(expected, file.signatures(), Optional.of(ByteValue.copyOf(canonical))).toBinary())
          .isEqualTo(binary);
    }
    assertThat(file.signatures()).hasSize(2);
    // The salt is nowhere in the file; the commitment is not the bare binding.
    assertThat(indexOf(binary, salt)).isEqualTo(-1);
    assertThat(armored).doesNotContain(HexFormat.of().formatHex(salt))
        .doesNotContain(Base64.getEncoder().encodeToString(salt).substring(0, 40));
    assertThat(file.terms().conversationCommitment().toByteArray()).isNotEqualTo(binding);
    try (SecretBytes s = SecretBytes.copyOf(salt, InsecureSecretAccess.get())) {
      assertThat(ConversationCommitment.opens(file.terms().conversationCommitment(), s, binding)).isTrue();
    }
    minister = open("minister");
    envoy = open("envoy");
  }

  @Test
  void twoAgreementsOfOneConversationHaveDifferentCommitmentsAndMessagesHaveNoSignatureField() throws Exception {
    Agreement first = complete("First", "One.\n");
    Agreement second = complete("Second", "Two.\n");
    ByteValue c1 = SignedAgreement.parse(first.export()).terms().conversationCommitment();
    ByteValue c2 = SignedAgreement.parse(second.export()).terms().conversationCommitment();
    assertThat(c1).isNotEqualTo(c2);
    minister.close();
    AgreementAdversaryIntegrationTest.OwnState m = AgreementAdversaryIntegrationTest.readState(dir.resolve("minister"));
    byte[] binding = AgreementDraft.binding(m.identity().publicKey(),
        IdentityPublicKey.parse(((RuntimePeer) envoy).identityForTests()));
    byte[] s1 = m.agreements().get(first.id()).getProposal().getSalt().toByteArray();
    byte[] s2 = m.agreements().get(second.id()).getProposal().getSalt().toByteArray();
    assertThat(s1).isNotEqualTo(s2);
    // Both open to the same conversation binding, each only under its own salt.
    assertThat(commit(s1, binding)).isEqualTo(c1);
    assertThat(commit(s2, binding)).isEqualTo(c2);
    assertThat(commit(s1, binding)).isNotEqualTo(c2);
    minister = open("minister");

    // The ordinary message format: nothing but sequence, time, body and receipts.
    assertThat(UserMessage.getDescriptor().getFields()).extracting(FieldDescriptor::getName)
        .containsExactly("sequence", "sent_at_millis", "body", "receipt");
    assertThat(Receipt.getDescriptor().getFields()).extracting(FieldDescriptor::getName)
        .containsExactly("sequences", "ranges");
  }

  static ByteValue commit(byte[] salt, byte[] binding) {
    try (SecretBytes s = SecretBytes.copyOf(salt, InsecureSecretAccess.get())) {
      return ConversationCommitment.commit(s, binding);
    }
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** How many 32-byte runs of {@code in} (runs of one repeated byte aside) occur in any of {@code sources}. */
  static int sharedRuns(List<byte[]> sources, byte[] in) {
    Set<ByteBuffer> runs = new HashSet<>();
    for (byte[] s : sources) {
      for (int i = 0; i + 32 <= s.length; i++) {
        runs.add(ByteBuffer.wrap(s, i, 32).slice());
      }
    }
    int shared = 0;
    for (int i = 0; i + 32 <= in.length; i++) {
      ByteBuffer run = ByteBuffer.wrap(in, i, 32).slice();
      if (!constant(in, i) && runs.contains(run)) {
        shared++;
      }
    }
    return shared;
  }

  private static boolean constant(byte[] b, int from) {
    for (int i = from + 1; i < from + 32; i++) {
      if (b[i] != b[from]) {
        return false;
      }
    }
    return true;
  }

  /** A relay's store that keeps a copy of every envelope body it is asked to store. */
  static final class RecordingStore extends ForwardingMailboxStore {
    final List<byte[]> bodies = new CopyOnWriteArrayList<>();

    RecordingStore(MailboxStore real) {
      super(real);
    }

    @Override
    public CompletableFuture<Appended> append(byte[] mailboxId, byte[] messageId, byte[] body, long expiresAtMillis,
        long maxEnvelopes, long maxBytes) {
      bodies.add(body.clone());
      return super.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
    }

    @Override
    public CompletableFuture<Appended> appendChecked(byte[] mailboxId, byte[] messageId, byte[] body,
        long expiresAtMillis, AppendLimits limits, byte[] provenSenderKey) {
      bodies.add(body.clone());
      return super.appendChecked(mailboxId, messageId, body, expiresAtMillis, limits, provenSenderKey);
    }
  }
}
