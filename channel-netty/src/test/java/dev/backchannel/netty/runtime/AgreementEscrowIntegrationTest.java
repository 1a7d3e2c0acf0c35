package dev.backchannel.netty.runtime;

import static dev.backchannel.netty.runtime.AgreementIntegrationTest.await;
import static dev.backchannel.netty.runtime.AgreementIntegrationTest.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.backchannel.api.Agreement;
import dev.backchannel.api.AgreementStatus;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.error.AgreementClosedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.agreement.Agreements;
import dev.backchannel.crypto.agreement.SignedAgreement;
import dev.backchannel.crypto.agreement.Verification;
import dev.backchannel.netty.internal.runtime.EscrowDeposit;
import dev.backchannel.netty.internal.runtime.EscrowRelease;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in escrow through a mediator both parties know: neither holds the other's signature
 * before giving its own; the mediator releases both at once, keeps nothing afterwards, survives
 * a restart while holding one; deposits and releases that break the rules are refused.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AgreementEscrowIntegrationTest {
  @TempDir Path dir;
  RelayServer relay;
  Peer mediator;
  Peer minister;
  Peer envoy;
  Conversation toEnvoy;
  Conversation toMinister;
  Conversation ministerToMediator;
  Conversation envoyToMediator;

  @BeforeEach
  void meet() throws Exception {
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
    mediator = open("mediator");
    minister = open("minister");
    envoy = open("envoy");
    PeerTestSupport.Pair me = PeerTestSupport.introduce(minister, envoy, "envoy", "minister");
    toMinister = me.toAlice();
    toEnvoy = me.toBob();
    ministerToMediator = PeerTestSupport.introduce(mediator, minister, "minister", "mediator").toAlice();
    envoyToMediator = PeerTestSupport.introduce(mediator, envoy, "envoy", "mediator").toAlice();
  }

  @AfterEach
  void close() {
    PeerTestSupport.closeAll(relay, mediator, minister, envoy);
  }

  Peer open(String name) throws Exception {
    return PeerTestSupport.open(dir, relay, name);
  }

  private int openEscrows() {
    return ((RuntimePeer) mediator).escrowForTests().openCount();
  }

  @Test
  void bothSignaturesAreReleasedTogetherAndNeitherSideHoldsTheOtherBefore() throws Exception {
    Agreement offer = toEnvoy.propose("Border talks", "The line stays.\n", "minister",
        java.time.Instant.parse("2031-01-01T00:00:00Z"));
    await(() -> envoy.agreements().size() == 1);
    Agreement there = envoy.agreements().get(0);
    // The contact itself is no intermediary.
    assertThatThrownBy(() -> get(there.signInEscrow(toMinister))).hasCauseInstanceOf(MalformedInputException.class);
    get(there.signInEscrow(envoyToMediator));
    assertThat(there.status()).isEqualTo(AgreementStatus.PROPOSED);
    assertThat(there.escrow()).contains("mediator");
    await(() -> offer.status() == AgreementStatus.AWAITING_SIGNATURE);
    assertThat(offer.escrow()).contains("mediator");
    await(() -> openEscrows() == 1);
    // The minister holds no signature of the envoy: nothing to export, nothing to show.
    assertThatThrownBy(offer::export).isInstanceOf(AgreementClosedException.class);

    // The mediator restarts while holding the envoy's signature.
    mediator.close();
    mediator = open("mediator");
    assertThat(openEscrows()).isEqualTo(1);

    get(offer.sign()); // the envoy asked for escrow: the signature goes to the same mediator
    await(() -> offer.status() == AgreementStatus.COMPLETE && there.status() == AgreementStatus.COMPLETE);
    await(() -> openEscrows() == 0);
    for (Agreement a : new Agreement[] {offer, there}) {
      Verification v = Agreements.verify(a.export());
      assertThat(v.status()).as(v.reason()).isEqualTo(Verification.Status.COMPLETE);
    }
    assertThat(mediator.agreements()).isEmpty();
    get(offer.sign());
    get(there.signInEscrow(envoyToMediator));
  }

  @Test
  void depositsAndReleasesThatBreakTheRulesAreRefused() throws Exception {
    Agreement offer = toEnvoy.propose("Annex", "Annex text.\n");
    await(() -> envoy.agreements().size() == 1);
    Agreement there = envoy.agreements().get(0);
    get(there.sign()); // signed directly: the minister now holds terms with both keys
    await(() -> offer.status() == AgreementStatus.AWAITING_SIGNATURE);
    SignedAgreement held = SignedAgreement.parse(offer.export());
    ByteString terms = ByteString.copyFrom(held.terms().encode());
    ByteString envoySignature = ByteString.copyFrom(held.signatures().get(0).encode());

    // The minister deposits the envoy's signature as if it were its own: refused.
    ((RuntimeConversation) ministerToMediator).sendRawPayload(Payload.newBuilder().setEscrowDeposit(
        EscrowDeposit.newBuilder().setTerms(terms).setSignature(envoySignature)).build().toByteArray()).get(30, TimeUnit.SECONDS);
    // Garbage terms: refused.
    ((RuntimeConversation) ministerToMediator).sendRawPayload(Payload.newBuilder().setEscrowDeposit(
        EscrowDeposit.newBuilder().setTerms(ByteString.copyFrom(new byte[40])).setSignature(envoySignature)).build()
        .toByteArray()).get(30, TimeUnit.SECONDS);
    // A contact the envoy never deposited with "releases" a signature: refused.
    ((RuntimeConversation) ministerToMediator).sendRawPayload(Payload.newBuilder().setEscrowRelease(
        EscrowRelease.newBuilder().setId(ByteString.copyFrom(HexFormat.of().parseHex(offer.id())))
            .addSignatures(envoySignature)).build().toByteArray()).get(30, TimeUnit.SECONDS);
    ministerToMediator.send("after the noise").get(30, TimeUnit.SECONDS);
    Conversation mediatorToMinister = mediator.conversation("minister").orElseThrow();
    assertThat(mediatorToMinister.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("after the noise");
    assertThat(openEscrows()).isZero();
    // The envoy signed directly and deposited nothing: a release from the mediator is refused.
    ((RuntimeConversation) mediatorToMinister).sendRawPayload(Payload.newBuilder().setEscrowRelease(
        EscrowRelease.newBuilder().setId(ByteString.copyFrom(HexFormat.of().parseHex(offer.id())))
            .addSignatures(envoySignature)).build().toByteArray()).get(30, TimeUnit.SECONDS);
    mediatorToMinister.send("ping").get(30, TimeUnit.SECONDS);
    assertThat(ministerToMediator.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("ping");
    assertThat(offer.status()).isEqualTo(AgreementStatus.AWAITING_SIGNATURE);
    assertThat(Agreements.verify(offer.export()).status()).isEqualTo(Verification.Status.OFFER);
  }
}
