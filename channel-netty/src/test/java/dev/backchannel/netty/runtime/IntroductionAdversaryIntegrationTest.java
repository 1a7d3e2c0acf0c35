package dev.backchannel.netty.runtime;

import static dev.backchannel.netty.runtime.IntroductionIntegrationTest.get;
import static dev.backchannel.netty.runtime.IntroductionIntegrationTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Introduction;
import dev.backchannel.api.IntroductionOutcome;
import dev.backchannel.api.Peer;
import dev.backchannel.netty.internal.runtime.IntroductionAccept;
import dev.backchannel.netty.internal.runtime.IntroductionClosed;
import dev.backchannel.netty.internal.runtime.IntroductionConnect;
import dev.backchannel.netty.internal.runtime.IntroductionDecline;
import dev.backchannel.netty.internal.runtime.IntroductionProposal;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Introducers and introducees who lie: a mediator who substitutes a puppet's keys for the envoy's,
 * an introducer who sends hand-made, replayed, reordered and out-of-state introduction payloads,
 * an introducee who was never asked, and contacts on two different relays.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class IntroductionAdversaryIntegrationTest {
  @TempDir Path dir;
  RelayServer relay;
  Peer mediator;
  Peer minister;
  Peer envoy;
  RuntimeConversation mediatorToMinister;
  RuntimeConversation mediatorToEnvoy;
  RuntimeConversation ministerToMediator;

  @BeforeEach
  void meet() throws Exception {
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
    mediator = open("mediator", relay);
    minister = open("minister", relay);
    envoy = open("envoy", relay);
    PeerTestSupport.Pair mm = PeerTestSupport.introduce(mediator, minister);
    mediatorToMinister = (RuntimeConversation) mm.toBob();
    ministerToMediator = (RuntimeConversation) mm.toAlice();
    mediatorToEnvoy = (RuntimeConversation) PeerTestSupport.introduce(envoy, mediator).toAlice();
  }

  @AfterEach
  void close() {
    Stream.of(mediator, minister, envoy).filter(p -> p != null).forEach(Peer::close);
    relay.close();
  }

  Peer open(String name, RelayServer r) throws Exception {
    return Peer.builder().stateDirectory(dir.resolve(name)).relay(r.address()).build();
  }

  @Test
  void aMediatorWhoSubstitutesItsOwnKeysTalksOnlyToItselfAndTheSafetyNumbersDiffer() throws Exception {
    // The lying mediator keeps a puppet identity it calls "envoy" and introduces the minister to it.
    try (Peer puppet = open("puppet", relay)) {
      Conversation mediatorToPuppet = PeerTestSupport.introduce(mediator, puppet, "the envoy", "mediator").toBob();
      Introduction lie = mediator.introduce(mediatorToMinister, mediatorToPuppet, "meet the envoy");
      var atMinister = request(minister);
      assertThat(atMinister.proposedLabel()).isEqualTo("the envoy");
      CompletableFuture<Conversation> m = atMinister.accept("envoy");
      CompletableFuture<Conversation> p = request(puppet).accept("minister");
      Conversation ministerToFakeEnvoy = get(m);
      Conversation puppetToMinister = get(p);
      assertThat(get(lie.outcome())).isEqualTo(IntroductionOutcome.CONNECTED);
      ministerToFakeEnvoy.send("for the envoy only").get(60, TimeUnit.SECONDS);
      assertThat(puppetToMinister.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("for the envoy only");
      // The real envoy got nothing, and when minister and envoy compare, the numbers differ.
      assertThat(envoy.conversations()).hasSize(1);
      Conversation envoyToMediator = envoy.conversations().get(0);
      assertThat(envoyToMediator.receive(Duration.ofMillis(300))).isEmpty();
      PeerTestSupport.Pair real = PeerTestSupport.introduce(envoy, minister, "minister", "real envoy");
      assertThat(ministerToFakeEnvoy.safetyNumber()).isNotEqualTo(real.toAlice().safetyNumber());
      assertThat(real.toAlice().safetyNumber()).isEqualTo(real.toBob().safetyNumber());
    }
  }

  private void raw(RuntimeConversation c, Payload p) throws Exception {
    c.sendRawPayload(p.toByteArray()).get(30, TimeUnit.SECONDS);
  }

  private static ByteString id(int b) {
    byte[] id = new byte[16];
    java.util.Arrays.fill(id, (byte) b);
    return ByteString.copyFrom(id);
  }

  private IntroductionProposal.Builder proposal(ByteString id, Peer about) throws Exception {
    byte[] identity = ((RuntimePeer) about).identityForTests();
    return IntroductionProposal.newBuilder().setId(id).setExpiresAtMillis(System.currentTimeMillis() + 3_600_000)
        .setLabel("someone").setIdentity(ByteString.copyFrom(identity));
  }

  @Test
  void malformedReplayedAndOutOfStatePayloadsFromTheIntroducerAreRefused() throws Exception {
    // An introducer sends what it likes: each bad proposal is refused before anything is stored.
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(1), envoy).setId(ByteString.copyFrom(new byte[3]))).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(2), envoy).setLabel("x".repeat(65))).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(3), envoy).setLabel("bad\u0007")).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(4), envoy).setNote("n".repeat(501))).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(5), envoy).setExpiresAtMillis(1)).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(6), envoy)
        .setExpiresAtMillis(System.currentTimeMillis() + Duration.ofDays(400).toMillis())).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(7), envoy)
        .setIdentity(ByteString.copyFrom(new byte[128]))).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(8), minister)).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(9), mediator)).build());
    // Out of state: a connect and a close for ids never proposed, a connect before any accept.
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionConnect(IntroductionConnect.newBuilder().setId(id(10))).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionClosed(IntroductionClosed.newBuilder().setId(id(11))).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(12), envoy)).build());
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionConnect(IntroductionConnect.newBuilder().setId(id(12))
        .setInvitation("bc1-nonsense")).build());
    // A replayed (repeated) proposal is one request.
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(12), envoy)).build());
    mediatorToMinister.send("after the noise").get(30, TimeUnit.SECONDS);
    assertThat(ministerToMediator.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("after the noise");
    assertThat(minister.introductionRequests()).hasSize(1);
    assertThat(minister.introductionRequests().get(0).id()).isEqualTo(HexFormat.of().formatHex(id(12).toByteArray()));
    assertThat(minister.conversations()).hasSize(1);
  }

  @Test
  void aConnectHandingAnotherPartysInvitationMakesNoContact() throws Exception {
    // The introducer proposes the envoy, then hands over an invitation of its own instead.
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionProposal(proposal(id(20), envoy)).build());
    var req = request(minister);
    CompletableFuture<Conversation> f = req.accept("envoy");
    String own = mediator.createInvitation("decoy", Duration.ofMinutes(10)).toCompactString();
    raw(mediatorToMinister, Payload.newBuilder().setIntroductionConnect(IntroductionConnect.newBuilder()
        .setId(id(20)).setInvitation(own)).build());
    boolean ministerInitiates = java.util.Arrays.compareUnsigned(minister.fingerprint(), envoy.fingerprint()) < 0;
    if (ministerInitiates) {
      // The invitation is not the proposed party's: the request ends, nothing is made.
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> get(f))
          .hasCauseInstanceOf(dev.backchannel.api.error.IntroductionClosedException.class);
    } else {
      // A responder is never handed an invitation: the connect is refused and the request waits.
      mediatorToMinister.send("ping").get(30, TimeUnit.SECONDS);
      assertThat(ministerToMediator.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("ping");
      assertThat(f).isNotDone();
    }
    assertThat(minister.conversations()).hasSize(1);
    assertThat(((RuntimePeer) minister).linkCount()).isEqualTo(1);
  }

  @Test
  void theIntroducerRefusesAnswersFromContactsNotInTheIntroductionAndForUnknownIds() throws Exception {
    Introduction intro = mediator.introduce(mediatorToMinister, mediatorToEnvoy, "");
    ByteString realId = ByteString.copyFrom(HexFormat.of().parseHex(intro.id()));
    try (Peer stranger = open("stranger", relay)) {
      // A contact never asked answers the real id; a party answers an id that does not exist.
      RuntimeConversation strangerToMediator = (RuntimeConversation) PeerTestSupport.introduce(mediator, stranger, "stranger", "mediator").toAlice();
      raw(strangerToMediator, Payload.newBuilder().setIntroductionAccept(IntroductionAccept.newBuilder().setId(realId)).build());
      raw(strangerToMediator, Payload.newBuilder().setIntroductionDecline(IntroductionDecline.newBuilder().setId(realId)).build());
      raw(ministerToMediator, Payload.newBuilder().setIntroductionDecline(IntroductionDecline.newBuilder().setId(id(99))).build());
      // An accept whose invitation does not fit the sender's role is refused too.
      raw(ministerToMediator, Payload.newBuilder().setIntroductionAccept(IntroductionAccept.newBuilder().setId(realId)
          .setInvitation("bc1-garbage")).build());
      Thread.sleep(500);
      assertThat(intro.outcome()).isNotDone();
      // The real answers still work.
      CompletableFuture<Conversation> m = request(minister).accept("envoy");
      CompletableFuture<Conversation> e = request(envoy).accept("minister");
      get(m).send("still works").get(60, TimeUnit.SECONDS);
      assertThat(get(e).receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("still works");
      assertThat(get(intro.outcome())).isEqualTo(IntroductionOutcome.CONNECTED);
    }
  }

  @Test
  void contactsOnDifferentRelaysAreIntroduced() throws Exception {
    try (RelayServer other = RelayServer.start(RelayConfig.builder(dir.resolve("relay2")).port(0).build());
        Peer farEnvoy = open("far-envoy", other)) {
      // The far envoy lives on another relay; the mediator accepted its invitation there.
      Conversation mediatorToFar = PeerTestSupport.introduce(farEnvoy, mediator, "mediator", "far envoy").toAlice();
      Introduction intro = mediator.introduce(mediatorToMinister, mediatorToFar, "across relays");
      CompletableFuture<Conversation> m = request(minister).accept("far envoy");
      CompletableFuture<Conversation> f = request(farEnvoy).accept("minister");
      Conversation a = get(m);
      Conversation b = get(f);
      assertThat(get(intro.outcome())).isEqualTo(IntroductionOutcome.CONNECTED);
      a.send("over two relays").get(60, TimeUnit.SECONDS);
      assertThat(b.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("over two relays");
      b.send("and back").get(60, TimeUnit.SECONDS);
      assertThat(a.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("and back");
    }
  }
}
