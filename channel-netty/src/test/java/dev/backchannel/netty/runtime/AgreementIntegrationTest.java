package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.Agreement;
import dev.backchannel.api.AgreementStatus;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.error.AgreementClosedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.agreement.Agreements;
import dev.backchannel.crypto.agreement.Verification;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agreements through a real relay: proposed inside the conversation, signed both ways, kept by
 * both across a restart, exported and verified offline; rejections, early signatures and bad
 * input each get their typed answer and store nothing.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AgreementIntegrationTest {
  static final String TEXT = "1. Both sides hold their positions.\r\n2. Talks resume in May.\r\n";

  @TempDir Path dir;
  RelayServer relay;
  Peer minister;
  Peer envoy;
  Conversation toEnvoy;
  Conversation toMinister;

  @BeforeEach
  void meet() throws Exception {
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
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

  static void await(Supplier<Boolean> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.get() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(condition.get()).as("condition reached in time").isTrue();
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(60, TimeUnit.SECONDS);
  }

  @Test
  void proposedSignedBothWaysExportedAndVerifiedOnBothSides() throws Exception {
    LinkedBlockingQueue<Agreement> seen = new LinkedBlockingQueue<>();
    toMinister.onAgreement(seen::add);
    Agreement offer = toEnvoy.propose("Ceasefire terms", TEXT, "minister", Instant.parse("2030-01-01T00:00:00Z"));
    assertThat(offer.status()).isEqualTo(AgreementStatus.PROPOSED);
    assertThat(offer.proposedByMe()).isTrue();
    assertThat(offer.text()).isEqualTo(TEXT.replace("\r\n", "\n"));
    assertThatThrownBy(offer::export).isInstanceOf(AgreementClosedException.class);
    // The proposer cannot sign before the contact: its key is not in the terms yet.
    assertThatThrownBy(() -> get(offer.sign())).hasCauseInstanceOf(AgreementClosedException.class);

    Agreement received = seen.poll(60, TimeUnit.SECONDS);
    assertThat(received).isNotNull();
    assertThat(received.id()).isEqualTo(offer.id());
    assertThat(received.title()).isEqualTo("Ceasefire terms");
    assertThat(received.contact()).isEqualTo("minister");
    assertThat(received.proposedByMe()).isFalse();
    assertThat(received.status()).isEqualTo(AgreementStatus.AWAITING_SIGNATURE);
    assertThat(received.expiresAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));

    get(received.sign());
    assertThat(received.status()).isEqualTo(AgreementStatus.PROPOSED);
    Verification envoyOffer = Agreements.verify(received.export());
    assertThat(envoyOffer.status()).isEqualTo(Verification.Status.OFFER);
    await(() -> offer.status() == AgreementStatus.AWAITING_SIGNATURE);
    get(offer.sign());
    assertThat(offer.status()).isEqualTo(AgreementStatus.COMPLETE);
    await(() -> received.status() == AgreementStatus.COMPLETE);
    get(offer.sign()); // signing again sends nothing and succeeds

    byte[] atMinister = offer.export();
    byte[] atEnvoy = received.export();
    byte[] text = TEXT.getBytes(StandardCharsets.UTF_8);
    for (byte[] file : List.of(atMinister, atEnvoy,
        offer.exportArmored().getBytes(StandardCharsets.US_ASCII))) {
      Verification v = Agreements.verify(file, text);
      assertThat(v.status()).as(v.reason()).isEqualTo(Verification.Status.COMPLETE);
      assertThat(v.title()).isEqualTo("Ceasefire terms");
      assertThat(v.parties()).extracting(p -> p.fingerprint().hex()).containsExactlyInAnyOrder(
          HexFormat.of().formatHex(minister.fingerprint()), HexFormat.of().formatHex(envoy.fingerprint()));
      assertThat(v.parties()).extracting(Verification.PartyStatus::label).containsExactlyInAnyOrder("minister", "envoy");
      assertThat(v.textSha256().orElseThrow().hex()).isEqualTo(HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(TEXT.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8))));
    }
    // Both files name the same terms: the signed part is identical.
    assertThat(Agreements.verify(atMinister).termsHash()).isEqualTo(Agreements.verify(atEnvoy).termsHash());
    assertThat(Agreements.verify(atMinister, "another text\n".getBytes(StandardCharsets.UTF_8)).status())
        .isEqualTo(Verification.Status.INVALID);

    // Both keep the complete agreement across a restart.
    minister.close();
    envoy.close();
    minister = open("minister");
    envoy = open("envoy");
    Agreement again = minister.agreement(offer.id().toUpperCase()).orElseThrow();
    assertThat(again.status()).isEqualTo(AgreementStatus.COMPLETE);
    assertThat(Agreements.verify(again.export()).status()).isEqualTo(Verification.Status.COMPLETE);
    assertThat(envoy.agreements()).extracting(Agreement::status).containsExactly(AgreementStatus.COMPLETE);
    assertThat(envoy.conversation("minister").orElseThrow().agreements()).extracting(Agreement::id)
        .containsExactly(offer.id());
    assertThatThrownBy(() -> get(again.reject())).hasCauseInstanceOf(AgreementClosedException.class);
  }

  @Test
  void aRejectionReachesTheProposerAndClosesTheAgreementOnBothSides() throws Exception {
    Agreement offer = toEnvoy.propose("Prisoner exchange", "Ten for ten.\n");
    await(() -> envoy.agreements().size() == 1);
    Agreement there = envoy.agreements().get(0);
    assertThat(there.status()).isEqualTo(AgreementStatus.AWAITING_SIGNATURE);
    get(there.reject());
    assertThat(there.status()).isEqualTo(AgreementStatus.REJECTED);
    await(() -> offer.status() == AgreementStatus.REJECTED);
    assertThatThrownBy(() -> get(there.sign())).hasCauseInstanceOf(AgreementClosedException.class);
    assertThatThrownBy(() -> get(offer.reject())).hasCauseInstanceOf(AgreementClosedException.class);
    assertThat(offer.expiresAt()).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
    // The conversation goes on.
    toEnvoy.send("no hard feelings").get(60, TimeUnit.SECONDS);
    assertThat(toMinister.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("no hard feelings");
  }

  @Test
  void theProposerMayRejectAfterTheContactSignedYetTheContactKeepsOnlyItsOwnOffer() throws Exception {
    Agreement offer = toEnvoy.propose("Border", "The line stays.\n");
    await(() -> envoy.agreements().size() == 1);
    Agreement there = envoy.agreements().get(0);
    get(there.sign());
    await(() -> offer.status() == AgreementStatus.AWAITING_SIGNATURE);
    // The proposer holds the envoy's signature: an offer it can show without signing back.
    assertThat(Agreements.verify(offer.export()).status()).isEqualTo(Verification.Status.OFFER);
    get(offer.reject());
    await(() -> there.status() == AgreementStatus.REJECTED);
    assertThat(Agreements.verify(there.export()).status()).isEqualTo(Verification.Status.OFFER);
  }

  @Test
  void badProposalsAreRefusedWithTypedErrorsAndStoreNothing() throws Exception {
    Instant later = Instant.now().plus(Duration.ofDays(1));
    assertThatThrownBy(() -> toEnvoy.propose("", "text\n")).isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> toEnvoy.propose("t".repeat(201), "text\n")).isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> toEnvoy.propose("bell\u0007", "text\n")).isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> toEnvoy.propose("rtl\u202e", "text\n")).isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> toEnvoy.propose("title", "")).isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> toEnvoy.propose("title", "lone\rcr")).isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> toEnvoy.propose("title", "x".repeat(Agreement.MAX_TEXT_BYTES + 1)))
        .isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> toEnvoy.propose("title", "text\n", "", later)).isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> toEnvoy.propose("title", "text\n", "l".repeat(65), later))
        .isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> toEnvoy.propose("title", "text\n", "me", Instant.now().minusSeconds(5)))
        .isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> toEnvoy.propose("title", null)).isInstanceOf(MalformedInputException.class);
    assertThat(minister.agreements()).isEmpty();
    // The longest text still travels in one message.
    Agreement longest = toEnvoy.propose("Annex", "y".repeat(Agreement.MAX_TEXT_BYTES));
    await(() -> envoy.agreements().size() == 1);
    assertThat(envoy.agreements().get(0).text()).hasSize(Agreement.MAX_TEXT_BYTES);
    assertThat(longest.status()).isEqualTo(AgreementStatus.PROPOSED);
    assertThat(minister.agreements()).hasSize(1);
    assertThat(minister.agreement("00".repeat(16))).isEmpty();
    assertThat(minister.agreement("not hex")).isEmpty();
  }

  @Test
  void atMostThirtyTwoOfOneSidesProposalsAreOpenInAConversation() throws Exception {
    for (int i = 0; i < AgreementBook.MAX_OPEN_PER_SIDE; i++) {
      toEnvoy.propose("Point " + i, "text " + i + "\n");
    }
    assertThatThrownBy(() -> toEnvoy.propose("one more", "text\n"))
        .isInstanceOf(dev.backchannel.api.error.QuotaExceededException.class);
    await(() -> envoy.agreements().size() == AgreementBook.MAX_OPEN_PER_SIDE);
    // Rejecting one frees a place (found by its id: the two sides may list ties apart).
    var rejected = envoy.agreements().get(0);
    get(rejected.reject());
    await(() -> minister.agreement(rejected.id()).orElseThrow().status() == AgreementStatus.REJECTED);
    toEnvoy.propose("one more", "text\n");
  }
}
