package dev.backchannel.netty.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.internal.auth.AdmissionProof;
import dev.backchannel.netty.internal.auth.CommandAuth;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.wire.CreateMailbox;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.PutInvitation;
import dev.backchannel.netty.internal.wire.Send;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's resource bounds on its real pipeline (EmbeddedChannel, real store): admission,
 * creation budgets, the storage watermark and idempotence past the acknowledgement, each with its
 * typed refusal.
 */
class RelayLimitsTest {
  @TempDir Path dir;
  private RocksDbMailboxStore store;
  private final ExecutorService storeExecutor = Executors.newSingleThreadExecutor();
  private EmbeddedChannel ch;
  private byte[] challenge;

  private void open(RelayConfig config) throws Exception {
    store = new RocksDbMailboxStore(dir.resolve("store"));
    RelayCounters counters = new RelayCounters();
    ch = new EmbeddedChannel();
    Frames.addCodec(ch.pipeline(), config.maxFrameBytes());
    ch.pipeline().addLast(new RelayConnectionHandler(new RelayServices(config, store, storeExecutor,
        new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), counters,
        new Subscriptions(store, storeExecutor, counters), new MailboxRecords(store),
        new AddressLimits(config.limits()))));
    ch.pipeline().fireChannelActive();
    challenge = read(1).get(0).getHello().getChallenge().toByteArray();
  }

  @AfterEach
  void tearDown() throws Exception {
    partial.release();
    if (ch != null) {
      ch.finishAndReleaseAll();
      ch.checkException();
    }
    storeExecutor.shutdownNow();
    storeExecutor.awaitTermination(5, TimeUnit.SECONDS);
    if (store != null) {
      store.close();
    }
  }

  private final java.util.ArrayDeque<Frame> received = new java.util.ArrayDeque<>();
  private final ByteBuf partial = Unpooled.buffer();

  /** The next {@code n} frames the relay wrote (frames past them stay for the next call). */
  private List<Frame> read(int n) throws Exception {
    for (int spin = 0; spin < 1_000 && received.size() < n; spin++) {
      ch.runPendingTasks();
      for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
        partial.writeBytes(b);
        b.release();
      }
      while (partial.readableBytes() >= 4 && partial.readableBytes() >= 4 + partial.getInt(partial.readerIndex())) {
        byte[] bytes = new byte[partial.readInt()];
        partial.readBytes(bytes);
        received.add(Frame.parseFrom(bytes));
      }
      partial.discardReadBytes();
      if (received.size() < n) {
        Thread.sleep(5);
      }
    }
    assertThat(received).hasSizeGreaterThanOrEqualTo(n);
    List<Frame> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(received.poll());
    }
    return out;
  }

  private Frame request(Frame f) throws Exception {
    byte[] bytes = f.toByteArray();
    ch.writeInbound(Unpooled.buffer(4 + bytes.length).writeInt(bytes.length).writeBytes(bytes));
    List<Frame> pushes = new ArrayList<>();
    while (true) {
      Frame r = read(1).get(0);
      if (r.getRequestId() == f.getRequestId()) {
        pushes.forEach(received::addFirst);
        return r;
      }
      pushes.add(0, r);
    }
  }

  private Frame create(long rid, byte[] id, SecretBytes owner, byte[] admission) throws Exception {
    var c = CreateMailbox.newBuilder().setMailboxId(ByteString.copyFrom(id))
        .setOwnerKey(ByteString.copyFrom(Ed25519.publicKey(owner)))
        .setSignature(ByteString.copyFrom(Ed25519.sign(owner, CommandAuth.message(CommandAuth.CREATE, challenge, id, null))));
    if (admission != null) {
      c.setAdmission(ByteString.copyFrom(admission));
    }
    return request(Frame.newBuilder().setRequestId(rid).setCreateMailbox(c).build());
  }

  private Frame send(long rid, byte[] id, byte[] mid, int size) throws Exception {
    return request(Frame.newBuilder().setRequestId(rid).setSend(Send.newBuilder()
        .setMailboxId(ByteString.copyFrom(id)).setMessageId(ByteString.copyFrom(mid))
        .setBody(ByteString.copyFrom(new byte[size]))).build());
  }

  private static ErrorCode code(Frame f) {
    return f.hasError() ? f.getError().getCode() : null;
  }

  @Test
  void withAnAdmissionSecretOnlyItsHoldersCreateAndEveryoneMaySend() throws Exception {
    byte[] secret = RelayTestSupport.random(32);
    open(RelayConfig.builder(dir).admissionSecret(secret).build());
    SecretBytes owner = Ed25519.generatePrivateKey();
    byte[] id = RelayTestSupport.random(32);
    assertThat(code(create(1, id, owner, null))).isEqualTo(ErrorCode.ADMISSION_REQUIRED);
    assertThat(code(create(2, id, owner, RelayTestSupport.random(32)))).isEqualTo(ErrorCode.ADMISSION_REQUIRED);
    byte[] otherChallenge = RelayTestSupport.random(32);
    assertThat(code(create(3, id, owner, AdmissionProof.of(secret, otherChallenge))))
        .as("a proof for another connection's challenge").isEqualTo(ErrorCode.ADMISSION_REQUIRED);
    var put = PutInvitation.newBuilder().setInvitationId(ByteString.copyFrom(RelayTestSupport.random(32)))
        .setBundle(ByteString.copyFrom(new byte[300])).setExpiresAt(System.currentTimeMillis() / 1000 + 3600);
    assertThat(code(request(Frame.newBuilder().setRequestId(4).setPutInvitation(put).build())))
        .isEqualTo(ErrorCode.ADMISSION_REQUIRED);
    assertThat(create(5, id, owner, AdmissionProof.of(secret, challenge)).hasOk()).isTrue();
    put.setAdmission(ByteString.copyFrom(AdmissionProof.of(secret, challenge)));
    assertThat(request(Frame.newBuilder().setRequestId(6).setPutInvitation(put).build()).hasOk()).isTrue();
    assertThat(send(7, id, RelayTestSupport.random(16), 100).hasOk()).as("sending needs no admission").isTrue();
    assertThat(RelayConfig.builder(dir).admissionSecret(secret).build().toString()).doesNotContain(
        java.util.HexFormat.of().formatHex(secret));
  }

  @Test
  void creationsPastTheConnectionsBudgetAreRefused() throws Exception {
    open(RelayConfig.builder(dir).limits(RelayLimits.defaults().withBudgets(16, 2, 1_000)).build());
    assertThat(create(1, RelayTestSupport.random(32), Ed25519.generatePrivateKey(), null).hasOk()).isTrue();
    assertThat(create(2, RelayTestSupport.random(32), Ed25519.generatePrivateKey(), null).hasOk()).isTrue();
    assertThat(code(create(3, RelayTestSupport.random(32), Ed25519.generatePrivateKey(), null)))
        .isEqualTo(ErrorCode.BUDGET_EXCEEDED);
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void sendsPastTheStorageWatermarkAreRefusedAndStoredOnesStay() throws Exception {
    open(RelayConfig.builder(dir).limits(RelayLimits.defaults().withMaxStoreBytes(4 * 1024)).build());
    byte[] id = RelayTestSupport.random(32);
    assertThat(create(1, id, Ed25519.generatePrivateKey(), null).hasOk()).isTrue();
    int ok = 0;
    ErrorCode last = null;
    for (int i = 0; i < 10 && last == null; i++) {
      last = code(send(10 + i, id, RelayTestSupport.random(16), 1024));
      ok += last == null ? 1 : 0;
    }
    assertThat(last).isEqualTo(ErrorCode.STORAGE_FULL);
    assertThat(ok).isEqualTo(4);
    assertThat(store.usage(id).envelopes()).isEqualTo(4);
    assertThat(code(create(30, RelayTestSupport.random(32), Ed25519.generatePrivateKey(), null)))
        .as("no new mailboxes at the watermark").isEqualTo(ErrorCode.STORAGE_FULL);
  }

  /** On a real relay over TLS (EmbeddedChannel's loop is not meant for the store's threads). */
  @Test
  void aResendOfAnAcknowledgedEnvelopeIsAcknowledgedButNotDeliveredAgain() throws Exception {
    try (RelayTestSupport.Opened opened = new RelayTestSupport.Opened()) {
      RelayServer relay = opened.relay(RelayConfig.builder(dir.resolve("relay")));
      var link = opened.link(relay);
      RelayTestSupport.Box box = new RelayTestSupport.Box().create(link).subscribe(link);
      byte[] mid = RelayTestSupport.random(16);
      link.send(box.id, mid, new byte[] {1}).get(20, TimeUnit.SECONDS);
      assertThat(box.next().messageId()).isEqualTo(mid);
      link.ack(box.id, mid).get(20, TimeUnit.SECONDS);
      link.send(box.id, mid, new byte[] {1}).get(20, TimeUnit.SECONDS); // acknowledged: it was delivered
      byte[] other = RelayTestSupport.random(16);
      link.send(box.id, other, new byte[] {2}).get(20, TimeUnit.SECONDS);
      assertThat(box.next().messageId()).as("the resend is not delivered again").isEqualTo(other);
      assertThat(relay.counters().stored()).isEqualTo(2);
    }
  }
}
