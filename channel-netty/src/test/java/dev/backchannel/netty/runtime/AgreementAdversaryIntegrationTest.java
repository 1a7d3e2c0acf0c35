package dev.backchannel.netty.runtime;

import static dev.backchannel.netty.runtime.AgreementIntegrationTest.await;
import static dev.backchannel.netty.runtime.AgreementIntegrationTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.backchannel.api.Agreement;
import dev.backchannel.api.AgreementStatus;
import dev.backchannel.api.Peer;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.agreement.AgreementKeys;
import dev.backchannel.crypto.agreement.AgreementTerms;
import dev.backchannel.crypto.agreement.Agreements;
import dev.backchannel.crypto.agreement.Party;
import dev.backchannel.crypto.agreement.PartySignature;
import dev.backchannel.crypto.agreement.SignedAgreement;
import dev.backchannel.crypto.agreement.Verification;
import dev.backchannel.crypto.atrest.Argon2idParameters;
import dev.backchannel.netty.internal.runtime.AgreementProposal;
import dev.backchannel.netty.internal.runtime.AgreementRecord;
import dev.backchannel.netty.internal.runtime.AgreementRejection;
import dev.backchannel.netty.internal.runtime.AgreementSignature;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.internal.runtime.PeerRecord;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.store.RocksDbStateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile contact against a real peer through a real relay: the envoy's side of the conversation
 * sends hand-made agreement payloads inside the genuine ratchet (as a modified client could), using
 * only what that contact really holds: its own identity and agreement keys (read from its own
 * state), the proposals it received, and the files exported to it. The receiving minister must
 * refuse every proposal that breaks a rule of the terms, keep at most
 * {@link AgreementBook#MAX_OPEN_PER_SIDE} of the contact's proposals open, accept no signature that
 * is not the contact's own valid signature of the terms held for that conversation, and accept no
 * rejection of an unknown, foreign or complete agreement. Each refusal is checked by its effect:
 * nothing stored, no status change, no listener call; each noise ends with a message round trip
 * (the runtime processes a conversation's envelopes in order, so the noise was processed) and,
 * where it matters, a restart of the minister and the genuine flow completing afterwards. Each
 * case sits beside a well-formed control that is accepted, so that a refusal is not vacuous.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class AgreementAdversaryIntegrationTest {
  @TempDir Path dir;
  RelayServer relay;
  Peer minister;
  Peer envoy;
  Peer attache;
  RuntimeConversation ministerToEnvoy;
  RuntimeConversation envoyToMinister;
  RuntimeConversation ministerToAttache;
  final List<Agreement> events = new CopyOnWriteArrayList<>();

  /** What a peer's own state holds: its identity and its agreement records by hex id. */
  record OwnState(IdentityKeyPair identity, Map<String, AgreementRecord> agreements) {}

  @BeforeEach
  void meet() throws Exception {
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
    minister = open("minister");
    envoy = open("envoy");
    attache = open("attache");
    PeerTestSupport.Pair p = PeerTestSupport.introduce(minister, envoy, "envoy", "minister");
    envoyToMinister = (RuntimeConversation) p.toAlice();
    ministerToEnvoy = (RuntimeConversation) p.toBob();
    ministerToAttache = (RuntimeConversation) PeerTestSupport.introduce(minister, attache, "attache", "minister").toBob();
  }

  @AfterEach
  void close() {
    PeerTestSupport.closeAll(relay, minister, envoy, attache);
  }

  Peer open(String name) throws Exception {
    return PeerTestSupport.open(dir, relay, name);
  }

  /** The identity and agreement records in the (closed) peer state at {@code state}. */
  static OwnState readState(Path state) throws Exception {
    try (RocksDbStateStore s = RocksDbStateStore.open(state, null, Argon2idParameters.DEFAULT)) {
      PeerRecord peer = PeerRecord.parseFrom(s.get(StateKeys.PEER).orElseThrow());
      Map<String, AgreementRecord> agreements = new HashMap<>();
      for (String k : s.keys(StateKeys.AGREEMENT_PREFIX)) {
        agreements.put(k.substring(StateKeys.AGREEMENT_PREFIX.length()),
            AgreementRecord.parseFrom(s.get(k).orElseThrow()));
      }
      return new OwnState(IdentityKeyPair.parse(peer.getIdentity().toByteArray()), agreements);
    }
  }

  /** Closes the envoy, reads what its own state holds, and opens it again. */
  OwnState envoysOwnState() throws Exception {
    envoy.close();
    OwnState s = readState(dir.resolve("envoy"));
    envoy = open("envoy");
    envoyToMinister = (RuntimeConversation) envoy.conversation("minister").orElseThrow();
    return s;
  }

  void raw(Payload p) throws Exception {
    get(envoyToMinister.sendRawPayload(p.toByteArray()));
  }

  /** A message from the envoy reaches the minister: everything the envoy sent before was processed. */
  void roundTrip(String text) throws Exception {
    get(envoyToMinister.send(text));
    assertThat(ministerToEnvoy.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo(text);
  }

  static ByteString id(int b) {
    byte[] id = new byte[16];
    Arrays.fill(id, (byte) b);
    return ByteString.copyFrom(id);
  }

  static String hex(ByteString id) {
    return HexFormat.of().formatHex(id.toByteArray());
  }

  /** A well-formed draft from the envoy, its ML-DSA-65 key {@code key}. */
  static AgreementProposal.Builder draft(int n, ByteString key) {
    long now = Instant.now().getEpochSecond();
    byte[] salt = new byte[32];
    ThreadLocalRandom.current().nextBytes(salt);
    return AgreementProposal.newBuilder().setId(id(n)).setTitle("Hostile " + n)
        .setText(ByteString.copyFromUtf8("Clause " + n + ".\n")).setNotBefore(now).setExpiresAt(now + 86_400)
        .setSalt(ByteString.copyFrom(salt)).setProposerLabel("envoy").setContactLabel("minister")
        .setProposerMlDsaPublic(key);
  }

  static Payload proposal(AgreementProposal.Builder b) {
    return Payload.newBuilder().setAgreementProposal(b).build();
  }

  static Payload signature(ByteString id, PartySignature s, ByteString key) {
    return Payload.newBuilder().setAgreementSignature(AgreementSignature.newBuilder().setId(id)
        .setSignature(ByteString.copyFrom(s.encode())).setMlDsaPublic(key)).build();
  }

  static Party party(SignedAgreement a, Peer p) {
    return a.terms().parties().stream().filter(x -> Arrays.equals(x.identity().fingerprint(), p.fingerprint()))
        .findFirst().orElseThrow();
  }

  static IdentityPublicKey identity(Peer p) throws Exception {
    return IdentityPublicKey.parse(((RuntimePeer) p).identityForTests());
  }

  static List<String> snapshot(Peer p) {
    return p.agreements().stream().map(a -> a.id() + " " + a.status() + " " + a.contact()).toList();
  }

  @Test
  void proposalsThatBreakTheRulesAreRefusedAndOnlyWellFormedOnesAreKeptOnce() throws Exception {
    // A genuine flow hands the envoy the minister's ML-DSA-65 key (in the file it can export).
    Agreement source = envoyToMinister.propose("Key source", "Genuine.\n");
    await(() -> minister.agreement(source.id()).isPresent());
    get(minister.agreement(source.id()).orElseThrow().sign());
    await(() -> source.status() == AgreementStatus.AWAITING_SIGNATURE);
    SignedAgreement file = SignedAgreement.parse(source.export());
    ByteString ministersKey = ByteString.copyFrom(party(file, minister).mlDsa65PublicKey().toByteArray());
    ByteString key = ByteString.copyFrom(party(file, envoy).mlDsa65PublicKey().toByteArray());
    Agreement elsewhere = ministerToAttache.propose("Elsewhere", "Another conversation.\n");
    await(() -> attache.agreements().size() == 1);
    ministerToEnvoy.onAgreement(events::add);

    long now = Instant.now().getEpochSecond();
    raw(proposal(draft(1, key).setId(ByteString.copyFrom(new byte[3]))));
    raw(proposal(draft(2, key).setSalt(ByteString.copyFrom(new byte[5]))));
    raw(proposal(draft(3, key).setTitle("")));
    raw(proposal(draft(4, key).setTitle("t".repeat(AgreementTerms.MAX_TITLE_BYTES + 1))));
    raw(proposal(draft(5, key).setTitle("bell\u0007")));
    raw(proposal(draft(6, key).setProposerLabel("")));
    raw(proposal(draft(7, key).setProposerLabel("l".repeat(Party.MAX_LABEL_BYTES + 1))));
    raw(proposal(draft(8, key).setContactLabel("")));
    raw(proposal(draft(9, key).setContactLabel("l".repeat(Party.MAX_LABEL_BYTES + 1))));
    raw(proposal(draft(10, key).setText(ByteString.copyFromUtf8("Clause.\r\nNext.\n"))));
    raw(proposal(draft(11, key).setText(ByteString.copyFromUtf8("lone\rcarriage return"))));
    raw(proposal(draft(12, key).setText(ByteString.copyFromUtf8("x".repeat(Agreement.MAX_TEXT_BYTES + 1)))));
    raw(proposal(draft(13, key).setText(ByteString.EMPTY)));
    raw(proposal(draft(14, key).setNotBefore(now - 100).setExpiresAt(now - 10)));
    raw(proposal(draft(15, key).setNotBefore(now + 500).setExpiresAt(now + 500)));
    raw(proposal(draft(16, key).setProposerMlDsaPublic(key.substring(1))));
    raw(proposal(draft(17, key).setProposerMlDsaPublic(ministersKey)));
    ByteString foreign = ByteString.copyFrom(HexFormat.of().parseHex(elsewhere.id()));
    raw(proposal(draft(18, key).setId(foreign)));
    // The controls: a well-formed proposal, then its replay; one at every upper bound.
    raw(proposal(draft(19, key)));
    raw(proposal(draft(19, key).setTitle("Replayed")));
    raw(proposal(draft(20, key).setTitle("t".repeat(AgreementTerms.MAX_TITLE_BYTES))
        .setProposerLabel("l".repeat(Party.MAX_LABEL_BYTES)).setContactLabel("m".repeat(Party.MAX_LABEL_BYTES))
        .setText(ByteString.copyFromUtf8("y".repeat(Agreement.MAX_TEXT_BYTES)))));
    roundTrip("after the noise");

    assertThat(minister.agreements()).extracting(Agreement::id)
        .containsExactly(source.id(), elsewhere.id(), hex(id(19)), hex(id(20)));
    assertThat(events).extracting(Agreement::id).containsExactly(hex(id(19)), hex(id(20)));
    Agreement kept = minister.agreement(hex(id(19))).orElseThrow();
    assertThat(kept.title()).isEqualTo("Hostile 19");
    assertThat(kept.status()).isEqualTo(AgreementStatus.AWAITING_SIGNATURE);
    assertThat(kept.contact()).isEqualTo("envoy");
    Agreement other = minister.agreement(elsewhere.id()).orElseThrow();
    assertThat(other.contact()).isEqualTo("attache");
    assertThat(other.proposedByMe()).isTrue();
    assertThat(other.title()).isEqualTo("Elsewhere");
    assertThat(minister.agreement(source.id()).orElseThrow().status()).isEqualTo(AgreementStatus.PROPOSED);

    // The same agreements, and nothing else, after a restart.
    List<String> before = snapshot(minister);
    minister.close();
    minister = open("minister");
    assertThat(snapshot(minister)).isEqualTo(before);
  }

  @Test
  void aContactKeepsAtMostThirtyTwoProposalsOpenAndARejectionFreesAPlace() throws Exception {
    ByteString key = ByteString.copyFrom(AgreementKeys.derive(IdentityKeyPair.generate()).mlDsa65PublicKey().toByteArray());
    for (int i = 1; i <= AgreementBook.MAX_OPEN_PER_SIDE + 8; i++) {
      raw(proposal(draft(i, key)));
    }
    roundTrip("after the flood");
    assertThat(minister.agreements()).extracting(Agreement::id).containsExactlyInAnyOrderElementsOf(
        java.util.stream.IntStream.rangeClosed(1, AgreementBook.MAX_OPEN_PER_SIDE).mapToObj(i -> hex(id(i))).toList());
    get(minister.agreements().get(0).reject());
    raw(proposal(draft(100, key)));
    raw(proposal(draft(101, key)));
    roundTrip("after one more");
    assertThat(minister.agreements()).hasSize(AgreementBook.MAX_OPEN_PER_SIDE + 1);
    assertThat(minister.agreement(hex(id(100)))).isPresent();
    assertThat(minister.agreement(hex(id(101)))).isEmpty();
  }

  @Test
  void signaturesThatAreNotTheContactsOwnForTheseTermsAreRefusedAndTheRealOnesStillComplete() throws Exception {
    // A: proposed by the minister (the envoy's key is not in the minister's record yet).
    // B: proposed by the envoy and signed by the minister, so the envoy's countersignature completes it.
    // C: proposed by the minister to the attache, another conversation.
    Agreement a = ministerToEnvoy.propose("Alpha", "Alpha clause.\n");
    Agreement b = envoyToMinister.propose("Bravo", "Bravo clause.\n");
    Agreement c = ministerToAttache.propose("Charlie", "Charlie clause.\n");
    await(() -> minister.agreement(b.id()).isPresent() && envoy.agreement(a.id()).isPresent()
        && attache.agreement(c.id()).isPresent());
    Agreement bAtMinister = minister.agreement(b.id()).orElseThrow();
    get(bAtMinister.sign());
    await(() -> b.status() == AgreementStatus.AWAITING_SIGNATURE);
    PartySignature ministersOwn = SignedAgreement.parse(bAtMinister.export()).signatures().get(0);

    // The envoy's own keys and records; the attache's copy of C (as if it had leaked to the envoy).
    OwnState mine = envoysOwnState();
    attache.close();
    AgreementRecord cAtAttache = readState(dir.resolve("attache")).agreements().get(c.id());
    attache = open("attache");
    IdentityPublicKey m = identity(minister);
    IdentityPublicKey e = mine.identity().publicKey();
    AgreementKeys keys = AgreementKeys.derive(mine.identity());
    byte[] ek = keys.mlDsa65PublicKey().toByteArray();
    ByteString envoysKey = ByteString.copyFrom(ek);
    AgreementRecord ra = mine.agreements().get(a.id());
    AgreementRecord rb = mine.agreements().get(b.id());
    byte[] mk = rb.getContactMlDsaPublic().toByteArray();
    AgreementTerms ta = AgreementDraft.terms(ra.getProposal(), m, mk, e, ek);
    AgreementTerms tb = AgreementDraft.terms(rb.getProposal(), e, ek, m, mk);
    PartySignature sigA = keys.sign(ta);
    PartySignature sigB = keys.sign(tb);
    // Another identity signs the same drafts with itself in the envoy's place.
    AgreementKeys stranger = AgreementKeys.derive(IdentityKeyPair.generate());
    byte[] sk = stranger.mlDsa65PublicKey().toByteArray();
    ByteString strangersKey = ByteString.copyFrom(sk);
    PartySignature byStrangerA = stranger.sign(AgreementDraft.terms(ra.getProposal(), m, mk, stranger.identity(), sk));
    PartySignature byStrangerB = stranger.sign(AgreementDraft.terms(rb.getProposal(), stranger.identity(), sk, m, mk));
    int envoyInA = ta.indexOf(e).getAsInt();
    int envoyInB = tb.indexOf(e).getAsInt();
    // What the envoy would sign if C were its own: valid, but for the attache's conversation.
    PartySignature forC = keys.sign(AgreementDraft.terms(cAtAttache.getProposal(), m, mk, e, ek));
    byte[] junk = new byte[PartySignature.ENCODED_LENGTH];
    ThreadLocalRandom.current().nextBytes(junk);
    junk[0] = (byte) envoyInA;
    ByteString idA = ByteString.copyFrom(HexFormat.of().parseHex(a.id()));
    ByteString idB = ByteString.copyFrom(HexFormat.of().parseHex(b.id()));
    ByteString idC = ByteString.copyFrom(HexFormat.of().parseHex(c.id()));
    ministerToEnvoy.onAgreement(events::add);

    raw(signature(id(0x42), sigB, envoysKey));                               // unknown id
    raw(signature(idC, forC, envoysKey));                                    // another conversation's agreement
    raw(signature(idB, ministersOwn, envoysKey));                            // the receiver's own index
    raw(Payload.newBuilder().setAgreementSignature(AgreementSignature.newBuilder().setId(idA)
        .setSignature(ByteString.copyFrom(junk)).setMlDsaPublic(envoysKey)).build()); // garbage
    raw(Payload.newBuilder().setAgreementSignature(AgreementSignature.newBuilder().setId(idB)
        .setSignature(ByteString.copyFrom(junk, 0, 10)).setMlDsaPublic(envoysKey)).build()); // too short
    raw(signature(idA, reindexed(byStrangerA, envoyInA), strangersKey));     // another identity
    raw(signature(idB, reindexed(byStrangerB, envoyInB), envoysKey));
    raw(signature(idA, reindexed(sigB, envoyInA), envoysKey));               // moved from B to A
    raw(signature(idB, reindexed(sigA, envoyInB), envoysKey));               // moved from A to B
    raw(signature(idB, sigB, strangersKey));                                 // valid, but names another key
    raw(signature(idA, sigA, strangersKey));
    raw(signature(idA, sigA, ByteString.EMPTY));                             // valid, but names no key
    raw(signature(idA, sigA, envoysKey.substring(5)));                       // a key of the wrong length
    raw(signature(idA, sigA, ByteString.copyFrom(mk)));                      // the minister's own key
    roundTrip("after the noise");

    assertThat(events).isEmpty();
    assertThat(minister.agreement(a.id()).orElseThrow().status()).isEqualTo(AgreementStatus.PROPOSED);
    assertThat(bAtMinister.status()).isEqualTo(AgreementStatus.PROPOSED);
    assertThat(minister.agreement(c.id()).orElseThrow().status()).isEqualTo(AgreementStatus.PROPOSED);
    assertThat(minister.agreements()).hasSize(3);
    List<String> before = snapshot(minister);
    minister.close();
    minister = open("minister");
    assertThat(snapshot(minister)).isEqualTo(before);
    ministerToEnvoy = (RuntimeConversation) minister.conversation("envoy").orElseThrow();
    roundTrip("after the restart");

    // The genuine signatures still complete both agreements; C waits for the attache.
    get(envoy.agreement(b.id()).orElseThrow().sign());
    get(envoy.agreement(a.id()).orElseThrow().sign());
    Agreement aAtMinister = minister.agreement(a.id()).orElseThrow();
    await(() -> aAtMinister.status() == AgreementStatus.AWAITING_SIGNATURE);
    get(aAtMinister.sign());
    await(() -> minister.agreement(b.id()).orElseThrow().status() == AgreementStatus.COMPLETE);
    for (String id : List.of(a.id(), b.id())) {
      Verification v = Agreements.verify(minister.agreement(id).orElseThrow().export());
      assertThat(v.status()).as(v.reason()).isEqualTo(Verification.Status.COMPLETE);
    }
    assertThat(minister.agreement(c.id()).orElseThrow().status()).isEqualTo(AgreementStatus.PROPOSED);
    keys.close();
    stranger.close();
  }

  static PartySignature reindexed(PartySignature s, int index) {
    return new PartySignature(index, s.ed25519(), s.mlDsa65());
  }

  @Test
  void rejectionsOfUnknownForeignOrCompleteAgreementsAreRefused() throws Exception {
    Agreement done = ministerToEnvoy.propose("Done", "Settled.\n");
    Agreement pending = ministerToEnvoy.propose("Open", "Pending.\n");
    Agreement foreign = ministerToAttache.propose("Foreign", "Not the envoy's.\n");
    await(() -> envoy.agreements().size() == 2);
    get(envoy.agreement(done.id()).orElseThrow().sign());
    await(() -> done.status() == AgreementStatus.AWAITING_SIGNATURE);
    get(done.sign());
    await(() -> envoy.agreement(done.id()).orElseThrow().status() == AgreementStatus.COMPLETE);
    ministerToEnvoy.onAgreement(events::add);

    for (ByteString id : List.of(id(0x42), ByteString.copyFrom(HexFormat.of().parseHex(foreign.id())),
        ByteString.copyFrom(HexFormat.of().parseHex(done.id())))) {
      raw(Payload.newBuilder().setAgreementRejection(AgreementRejection.newBuilder().setId(id)).build());
    }
    roundTrip("after the noise");
    assertThat(events).isEmpty();
    assertThat(done.status()).isEqualTo(AgreementStatus.COMPLETE);
    assertThat(Agreements.verify(done.export()).status()).isEqualTo(Verification.Status.COMPLETE);
    assertThat(foreign.status()).isEqualTo(AgreementStatus.PROPOSED);
    assertThat(pending.status()).isEqualTo(AgreementStatus.PROPOSED);

    // The control: the same payload for an open agreement of this conversation is accepted.
    raw(Payload.newBuilder().setAgreementRejection(AgreementRejection.newBuilder()
        .setId(ByteString.copyFrom(HexFormat.of().parseHex(pending.id())))).build());
    roundTrip("after the control");
    assertThat(pending.status()).isEqualTo(AgreementStatus.REJECTED);
    List<String> before = snapshot(minister);
    minister.close();
    minister = open("minister");
    assertThat(snapshot(minister)).isEqualTo(before);
    assertThat(minister.agreement(done.id()).orElseThrow().status()).isEqualTo(AgreementStatus.COMPLETE);
  }

  /**
   * A contact sends full rounds of proposals that expire a few seconds later: an expired open
   * proposal no longer counts as open, so unless it is deleted like a rejected one the bound on
   * open proposals would not bound what the contact makes this peer store (128 kept).
   */
  @Test
  void proposalsThatExpireOpenDoNotLetAContactGrowTheStateWithoutBound() throws Exception {
    ByteString key = ByteString.copyFrom(AgreementKeys.derive(IdentityKeyPair.generate()).mlDsa65PublicKey().toByteArray());
    int n = 0;
    for (int round = 0; round < 4; round++) {
      long end = Instant.now().getEpochSecond() + 3;
      for (int i = 0; i < AgreementBook.MAX_OPEN_PER_SIDE; i++) {
        raw(proposal(draft(++n, key).setExpiresAt(end)));
      }
      roundTrip("round " + round);
      await(() -> Instant.now().getEpochSecond() >= end);
    }
    assertThat(minister.agreements().size())
        .isLessThanOrEqualTo(AgreementBook.MAX_OPEN_PER_SIDE + AgreementBook.MAX_CLOSED_KEPT);
  }
}
