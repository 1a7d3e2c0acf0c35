package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Introduction;
import dev.backchannel.api.IntroductionOutcome;
import dev.backchannel.api.IntroductionRequest;
import dev.backchannel.api.Peer;
import dev.backchannel.api.Provenance;
import dev.backchannel.api.error.IntroductionClosedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real peers through a real relay: a mediator who knows a minister and an envoy introduces
 * them; each decides alone; once both accept they talk directly, and the mediator holds none of it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class IntroductionIntegrationTest {
  static final String TALK = "the terms we can live with";

  @TempDir Path dir;
  RelayServer relay;
  Peer mediator;
  Peer minister;
  Peer envoy;
  Conversation mediatorToMinister;
  Conversation mediatorToEnvoy;

  @BeforeEach
  void meet() throws Exception {
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
    mediator = open("mediator");
    minister = open("minister");
    envoy = open("envoy");
    // PeerTestSupport names the contacts "alice" (at the accepter) and "bob" (at the inviter).
    mediatorToMinister = PeerTestSupport.introduce(mediator, minister).toBob();
    mediatorToEnvoy = PeerTestSupport.introduce(envoy, mediator).toAlice();
  }

  @AfterEach
  void close() {
    PeerTestSupport.closeAll(relay, mediator, minister, envoy);
  }

  Peer open(String name) throws Exception {
    return PeerTestSupport.open(dir, relay, name);
  }

  static IntroductionRequest request(Peer p) throws InterruptedException {
    for (int i = 0; i < 1200; i++) {
      List<IntroductionRequest> r = p.introductionRequests();
      if (!r.isEmpty()) {
        return r.get(0);
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no introduction request arrived");
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(60, TimeUnit.SECONDS);
  }

  @Test
  void bothAcceptAndTalkWhileTheMediatorHoldsNoneOfIt() throws Exception {
    Introduction intro = mediator.introduce(mediatorToMinister, mediatorToEnvoy, "you two should talk");
    IntroductionRequest atMinister = request(minister);
    IntroductionRequest atEnvoy = request(envoy);
    assertThat(atMinister.id()).isEqualTo(intro.id()).isEqualTo(atEnvoy.id()).hasSize(32);
    assertThat(atMinister.from()).isEqualTo("alice");
    assertThat(atMinister.proposedLabel()).isEqualTo(mediatorToEnvoy.name());
    assertThat(atEnvoy.proposedLabel()).isEqualTo(mediatorToMinister.name());
    assertThat(atMinister.note()).isEqualTo("you two should talk");
    assertThat(minister.conversation("envoy")).as("nothing is created before the user accepts").isEmpty();

    CompletableFuture<Conversation> m = atMinister.accept("envoy");
    CompletableFuture<Conversation> e = atEnvoy.accept("minister");
    Conversation ministerToEnvoy = get(m);
    Conversation envoyToMinister = get(e);
    assertThat(get(intro.outcome())).isEqualTo(IntroductionOutcome.CONNECTED);
    assertThat(minister.introductionRequests()).isEmpty();

    ministerToEnvoy.send(TALK).get(60, TimeUnit.SECONDS);
    assertThat(envoyToMinister.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo(TALK);
    envoyToMinister.send("agreed, " + TALK).get(60, TimeUnit.SECONDS);
    assertThat(ministerToEnvoy.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("agreed, " + TALK);

    assertThat(ministerToEnvoy.safetyNumber()).isEqualTo(envoyToMinister.safetyNumber());
    Provenance p = ministerToEnvoy.provenance();
    assertThat(p.kind()).isEqualTo(Provenance.Kind.INTRODUCED);
    assertThat(p.introducerName()).contains("alice");
    assertThat(p.introducerFingerprint().orElseThrow()).isEqualTo(mediator.fingerprint());
    assertThat(envoyToMinister.provenance().introducerName()).contains("bob");
    ministerToEnvoy.markVerified();
    assertThat(ministerToEnvoy.provenance().kind()).isEqualTo(Provenance.Kind.VERIFIED);

    mediator.close();
    relay.close();
    byte[] needle = TALK.getBytes(StandardCharsets.UTF_8);
    assertThat(contains(dir.resolve("mediator"), needle)).as("the mediator's state holds no talk").isFalse();
    assertThat(contains(dir.resolve("relay"), needle)).as("the relay's data holds no talk").isFalse();
    assertThat(contains(dir.resolve("envoy"), needle)).as("the needle is findable where it is stored").isTrue();
  }

  static boolean contains(Path root, byte[] needle) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        byte[] b = Files.readAllBytes(f);
        outer:
        for (int i = 0; i + needle.length <= b.length; i++) {
          for (int j = 0; j < needle.length; j++) {
            if (b[i + j] != needle[j]) {
              continue outer;
            }
          }
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void aDeclineLooksLikeAClosureToTheOtherSideAndLeavesNoHalfContact() throws Exception {
    Introduction intro = mediator.introduce(mediatorToMinister, mediatorToEnvoy, "");
    CompletableFuture<Conversation> m = request(minister).accept("envoy");
    request(envoy).decline();
    assertThat(get(intro.outcome())).isEqualTo(IntroductionOutcome.CLOSED);
    assertThatThrownBy(() -> get(m)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IntroductionClosedException.class);
    assertThat(minister.conversation("envoy")).isEmpty();
    assertThat(envoy.introductionRequests()).isEmpty();
    assertThat(minister.conversations()).hasSize(1);
    assertThat(envoy.conversations()).hasSize(1);
    // The name is free again, and the closed id cannot be answered any more.
    assertThat(minister.createInvitation("envoy", Duration.ofMinutes(5))).isNotNull();
  }

  @Test
  void anExpiredIntroductionClosesOnBothSides() throws Exception {
    Introduction intro = mediator.introduce(mediatorToMinister, mediatorToEnvoy, "", Duration.ofSeconds(3));
    IntroductionRequest atMinister = request(minister);
    CompletableFuture<Conversation> m = atMinister.accept("envoy");
    request(envoy); // never answered
    assertThat(get(intro.outcome())).isEqualTo(IntroductionOutcome.EXPIRED);
    assertThatThrownBy(() -> get(m)).hasCauseInstanceOf(IntroductionClosedException.class);
    for (int i = 0; i < 400 && !envoy.introductionRequests().isEmpty(); i++) {
      Thread.sleep(25);
    }
    assertThat(envoy.introductionRequests()).isEmpty();
    assertThatThrownBy(() -> atMinister.accept("envoy")).isInstanceOf(IntroductionClosedException.class);
    assertThat(minister.conversation("envoy")).isEmpty();
  }

  @Test
  void theMediatorMayGoOfflineOnceItForwarded() throws Exception {
    Introduction intro = mediator.introduce(mediatorToMinister, mediatorToEnvoy, "");
    IntroductionRequest atMinister = request(minister);
    IntroductionRequest atEnvoy = request(envoy);
    CompletableFuture<Conversation> m = atMinister.accept("envoy");
    CompletableFuture<Conversation> e = atEnvoy.accept("minister");
    assertThat(get(intro.outcome())).isEqualTo(IntroductionOutcome.CONNECTED);
    mediator.close();
    Conversation a = get(m);
    Conversation b = get(e);
    a.send("without the mediator").get(60, TimeUnit.SECONDS);
    assertThat(b.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("without the mediator");
  }

  @Test
  void eachSideMayRestartBetweenTheSteps() throws Exception {
    Introduction intro = mediator.introduce(mediatorToMinister, mediatorToEnvoy, "restarts");
    request(minister);
    minister.close();
    minister = open("minister");
    IntroductionRequest atMinister = request(minister);
    assertThat(atMinister.note()).isEqualTo("restarts");
    atMinister.accept("envoy");
    minister.close();
    request(envoy).accept("minister");
    mediator.close();
    mediator = open("mediator");
    minister = open("minister");
    Conversation ministerToEnvoy = await(minister, "envoy");
    Conversation envoyToMinister = await(envoy, "minister");
    envoy.close();
    envoy = open("envoy");
    envoyToMinister = await(envoy, "minister");
    ministerToEnvoy.send("after the restarts").get(60, TimeUnit.SECONDS);
    assertThat(envoyToMinister.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("after the restarts");
    assertThat(intro.id()).hasSize(32);
  }

  static Conversation await(Peer p, String name) throws InterruptedException {
    for (int i = 0; i < 2400; i++) {
      var c = p.conversation(name);
      if (c.isPresent()) {
        return c.get();
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no conversation " + name);
  }

  @Test
  void aContactCannotBeIntroducedToItselfNorWithForeignConversations() throws Exception {
    assertThatThrownBy(() -> mediator.introduce(mediatorToMinister, mediatorToMinister, ""))
        .isInstanceOf(MalformedInputException.class);
    Conversation foreign = minister.conversations().get(0);
    assertThatThrownBy(() -> mediator.introduce(mediatorToMinister, foreign, ""))
        .isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> mediator.introduce(mediatorToMinister, mediatorToEnvoy, "x".repeat(501)))
        .isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> mediator.introduce(mediatorToMinister, mediatorToEnvoy, "", Duration.ofDays(31)))
        .isInstanceOf(MalformedInputException.class);
  }
}
