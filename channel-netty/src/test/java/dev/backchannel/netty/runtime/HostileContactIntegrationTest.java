package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Gap;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.api.PendingInvitation;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.internal.runtime.Receipt;
import dev.backchannel.netty.internal.runtime.Retire;
import dev.backchannel.netty.internal.runtime.SequenceRange;
import dev.backchannel.netty.internal.runtime.Setup;
import dev.backchannel.netty.internal.runtime.UserMessage;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A contact who runs a modified client: it seals payloads of its choosing into a real session
 * with a real peer (Mallory here), and Alice's peer must bound the work and memory each one costs.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HostileContactIntegrationTest {
  @TempDir Path dir;
  private RelayServer relay;
  private Peer alice;
  private Peer mallory;
  private Conversation aliceToMallory;
  private RuntimeConversation malloryToAlice;

  @BeforeEach
  void meet() throws Exception {
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
    alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(relay.address()).build();
    mallory = Peer.builder().stateDirectory(dir.resolve("mallory")).relay(relay.address()).build();
    PendingInvitation inv = alice.invite("mallory", Duration.ofHours(1));
    malloryToAlice = (RuntimeConversation) mallory.accept(inv.invitation(), "alice");
    malloryToAlice.send("hi").get(30, TimeUnit.SECONDS);
    aliceToMallory = inv.accepted().get(30, TimeUnit.SECONDS);
    assertThat(next(aliceToMallory).text()).isEqualTo("hi");
    aliceToMallory.send("hello").get(30, TimeUnit.SECONDS);
    assertThat(next(malloryToAlice).text()).isEqualTo("hello");
  }

  @AfterEach
  void close() {
    mallory.close();
    alice.close();
    relay.close();
  }

  private static Message next(Conversation c) throws InterruptedException {
    return c.receive(Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("no message"));
  }

  private void raw(Payload p) throws Exception {
    malloryToAlice.sendRawPayload(p.toByteArray()).get(30, TimeUnit.SECONDS);
  }

  private static Payload message(long seq, String text) {
    return Payload.newBuilder().setMessage(UserMessage.newBuilder().setSequence(seq)
        .setSentAtMillis(System.currentTimeMillis()).setBody(ByteString.copyFromUtf8(text))).build();
  }

  @Test
  void aSequenceJumpPastTheBoundIsRefusedAndALongGapIsOneReport() throws Exception {
    List<Gap> gaps = new CopyOnWriteArrayList<>();
    aliceToMallory.onGap(gaps::add);
    raw(message(Long.MAX_VALUE - 1, "jump"));
    raw(message(0, "zero"));
    raw(message(1 + 1 + InboundMessages.MAX_SEQUENCE_JUMP, "just inside the bound"));
    raw(message(2 + 1 + InboundMessages.MAX_SEQUENCE_JUMP, "next"));
    Message m = next(aliceToMallory);
    assertThat(m.text()).isEqualTo("just inside the bound");
    assertThat(next(aliceToMallory).text()).isEqualTo("next");
    assertThat(aliceToMallory.receive(Duration.ofMillis(300))).as("the refused ones are not shown").isEmpty();
    for (int i = 0; i < 100 && gaps.isEmpty(); i++) {
      Thread.sleep(10);
    }
    assertThat(gaps).as("2000 missing sequence numbers are one report")
        .containsExactly(new Gap(2, 1 + InboundMessages.MAX_SEQUENCE_JUMP));
  }

  @Test
  void receiptsReportOnlyWhatWasSentEachOnceAndOversizedReceiptsAreRefused() throws Exception {
    List<Long> delivered = new CopyOnWriteArrayList<>();
    aliceToMallory.onDelivered(delivered::add);
    // Mallory confirms a range covering far more than Alice ever sent: only 1 (sent) is reported.
    Receipt huge = Receipt.newBuilder().addRanges(SequenceRange.newBuilder().setFirst(1).setLast(Long.MAX_VALUE - 1)).build();
    raw(Payload.newBuilder().setReceipt(huge).build());
    raw(Payload.newBuilder().setReceipt(huge).build());
    Receipt.Builder many = Receipt.newBuilder();
    for (int i = 0; i < 10_000; i++) {
      many.addSequences(1);
    }
    raw(Payload.newBuilder().setReceipt(many).build());
    Receipt backwards = Receipt.newBuilder().addRanges(SequenceRange.newBuilder().setFirst(9).setLast(3)).build();
    raw(Payload.newBuilder().setReceipt(backwards).build());
    raw(message(2, "after the receipts"));
    assertThat(next(aliceToMallory).text()).isEqualTo("after the receipts");
    Thread.sleep(200);
    assertThat(delivered).containsOnly(1L);
    assertThat(delivered.stream().filter(s -> s == 1L).count()).as("each sequence once").isLessThanOrEqualTo(1);
  }

  @Test
  void aSetupNamingAnotherRelayIsRefusedAndNoConnectionIsOpened() throws Exception {
    int linksBefore = ((RuntimePeer) alice).linkCount();
    String elsewhere = "bcr://" + "A".repeat(43) + "@127.0.0.2:1";
    raw(Payload.newBuilder().setSetup(Setup.newBuilder()
        .setReplyMailbox(ByteString.copyFrom(new byte[32]))
        .setSenderKey(ByteString.copyFrom(new byte[32]))
        .setRelay(elsewhere)).build());
    raw(message(2, "still here"));
    assertThat(next(aliceToMallory).text()).isEqualTo("still here");
    // Alice still answers on the mailbox she had, through the same links.
    aliceToMallory.send("answer").get(30, TimeUnit.SECONDS);
    assertThat(next(malloryToAlice).text()).isEqualTo("answer");
    assertThat(((RuntimePeer) alice).linkCount()).isEqualTo(linksBefore);
  }

  @Test
  void aRetireForAMailboxThatIsNotPreviousIsIgnored() throws Exception {
    raw(Payload.newBuilder().setRetire(Retire.newBuilder()
        .setMailbox(ByteString.copyFrom(new byte[32])).setEnvelopes(1)).build());
    raw(message(2, "after the retire"));
    assertThat(next(aliceToMallory).text()).isEqualTo("after the retire");
    aliceToMallory.send("fine").get(30, TimeUnit.SECONDS);
    assertThat(next(malloryToAlice).text()).isEqualTo("fine");
  }
}
