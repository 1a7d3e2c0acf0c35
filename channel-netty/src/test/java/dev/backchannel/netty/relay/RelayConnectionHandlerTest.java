package dev.backchannel.netty.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.wire.Ack;
import dev.backchannel.netty.internal.wire.Deliver;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.Ping;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's pipeline (without TLS) on an EmbeddedChannel, with the real store: malformed,
 * oversize and out-of-order frames get an error frame and, where the stream cannot be trusted
 * any more, a closed connection; nothing leaks (the leak detector is PARANOID).
 */
class RelayConnectionHandlerTest {
  @TempDir Path dir;
  private RocksDbMailboxStore store;
  private ExecutorService storeExecutor;
  private EmbeddedChannel ch;
  private byte[] challenge;

  @BeforeEach
  void setUp() throws Exception {
    store = new RocksDbMailboxStore(dir);
    storeExecutor = Executors.newSingleThreadExecutor();
    RelayConfig config = RelayConfig.builder(dir).maxFrameBytes(70_000).build();
    RelayCounters counters = new RelayCounters();
    ch = new EmbeddedChannel();
    Frames.addCodec(ch.pipeline(), config.maxFrameBytes());
    ch.pipeline().addLast(new RelayConnectionHandler(new RelayServices(config, store, storeExecutor,
        new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), counters,
        new Subscriptions(store, storeExecutor, counters), new MailboxRecords(store), new AddressLimits(config.limits()))));
    ch.pipeline().fireChannelActive();
    assertThat(readFrames()).singleElement().satisfies(f -> {
      assertThat(f.hasHello()).isTrue();
      assertThat(f.getHello().getChallenge().size()).isEqualTo(32);
      challenge = f.getHello().getChallenge().toByteArray();
    });
  }

  @AfterEach
  void tearDown() throws Exception {
    ch.finishAndReleaseAll();
    ch.checkException();
    storeExecutor.shutdownNow();
    storeExecutor.awaitTermination(5, TimeUnit.SECONDS);
    store.close();
  }

  /** Decodes what the handler wrote (length-prefixed protobuf). */
  private List<Frame> readFrames() throws Exception {
    List<Frame> out = new ArrayList<>();
    ByteBuf all = Unpooled.buffer();
    try {
      for (int spin = 0; spin < 200; spin++) {
        ch.runPendingTasks();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
          all.writeBytes(b); // the prefix and the message come as separate buffers
          b.release();
        }
        while (all.readableBytes() >= 4 && all.readableBytes() >= 4 + all.getInt(all.readerIndex())) {
          byte[] bytes = new byte[all.readInt()];
          all.readBytes(bytes);
          out.add(Frame.parseFrom(bytes));
        }
        if (!out.isEmpty() && all.readableBytes() == 0) {
          return out;
        }
        Thread.sleep(5);
      }
      return out;
    } finally {
      all.release();
    }
  }

  private void writeFrame(Frame f) {
    byte[] bytes = f.toByteArray();
    ByteBuf b = Unpooled.buffer(4 + bytes.length).writeInt(bytes.length).writeBytes(bytes);
    ch.writeInbound(b);
  }

  @Test
  void pingIsAnswered() throws Exception {
    writeFrame(Frame.newBuilder().setRequestId(7).setPing(Ping.getDefaultInstance()).build());
    assertThat(readFrames()).singleElement().satisfies(f -> {
      assertThat(f.getRequestId()).isEqualTo(7);
      assertThat(f.hasOk()).isTrue();
    });
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void hugeLengthPrefixIsRefusedWithoutAllocatingAndCloses() throws Exception {
    ch.writeInbound(Unpooled.buffer(8).writeInt(Integer.MAX_VALUE).writeInt(0));
    assertThat(readFrames()).singleElement().satisfies(f ->
        assertThat(f.getError().getCode()).isEqualTo(ErrorCode.TOO_LARGE));
    ch.runPendingTasks();
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void oversizeFrameJustAboveTheLimitIsRefused() throws Exception {
    ch.writeInbound(Unpooled.buffer(8).writeInt(70_001).writeInt(0));
    assertThat(readFrames()).singleElement().satisfies(f ->
        assertThat(f.getError().getCode()).isEqualTo(ErrorCode.TOO_LARGE));
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void malformedProtobufIsRefusedAndCloses() throws Exception {
    byte[] junk = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0x7a};
    ch.writeInbound(Unpooled.buffer().writeInt(junk.length).writeBytes(junk));
    assertThat(readFrames()).singleElement().satisfies(f ->
        assertThat(f.getError().getCode()).isEqualTo(ErrorCode.BAD_REQUEST));
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void ackBeforeSubscribeIsAnErrorButTheConnectionStays() throws Exception {
    writeFrame(Frame.newBuilder().setRequestId(3).setAck(Ack.newBuilder()
        .setMailboxId(ByteString.copyFrom(new byte[32]))
        .setMessageId(ByteString.copyFrom(new byte[16]))).build());
    assertThat(readFrames()).singleElement().satisfies(f -> {
      assertThat(f.getRequestId()).isEqualTo(3);
      assertThat(f.getError().getCode()).isEqualTo(ErrorCode.BAD_REQUEST);
    });
    assertThat(ch.isActive()).isTrue();
  }

  @Test
  void relayOnlyFramesFromAClientAreRefusedAndClose() throws Exception {
    writeFrame(Frame.newBuilder().setRequestId(4).setDeliver(Deliver.getDefaultInstance()).build());
    assertThat(readFrames()).singleElement().satisfies(f ->
        assertThat(f.getError().getCode()).isEqualTo(ErrorCode.BAD_REQUEST));
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void requestWithoutIdIsRefusedAndCloses() throws Exception {
    writeFrame(Frame.newBuilder().setPing(Ping.getDefaultInstance()).build());
    assertThat(readFrames()).singleElement().satisfies(f ->
        assertThat(f.getError().getCode()).isEqualTo(ErrorCode.BAD_REQUEST));
    assertThat(ch.isActive()).isFalse();
  }

  @Test
  void malformedFieldsGetTypedErrors() throws Exception {
    writeFrame(Frame.newBuilder().setRequestId(5).setSend(
        dev.backchannel.netty.internal.wire.Send.newBuilder()
            .setMailboxId(ByteString.copyFrom(new byte[31]))
            .setMessageId(ByteString.copyFrom(new byte[16]))
            .setBody(ByteString.copyFrom(new byte[10]))).build());
    assertThat(readFrames()).singleElement().satisfies(f ->
        assertThat(f.getError().getCode()).isEqualTo(ErrorCode.BAD_REQUEST));
    writeFrame(Frame.newBuilder().setRequestId(6).setSend(
        dev.backchannel.netty.internal.wire.Send.newBuilder()
            .setMailboxId(ByteString.copyFrom(new byte[32]))
            .setMessageId(ByteString.copyFrom(new byte[16]))
            .setBody(ByteString.copyFrom(new byte[10]))).build());
    assertThat(readFrames()).singleElement().satisfies(f ->
        assertThat(f.getError().getCode()).isEqualTo(ErrorCode.NO_SUCH_MAILBOX));
    assertThat(ch.isActive()).isTrue();
  }

  private Frame request(Frame.Builder f) throws Exception {
    writeFrame(f.build());
    List<Frame> replies = readFrames();
    assertThat(replies).hasSize(1);
    return replies.get(0);
  }

  private byte[] signed(dev.backchannel.crypto.SecretBytes key, int command, byte[] id, byte[] extra) {
    return dev.backchannel.crypto.Ed25519.sign(key,
        dev.backchannel.netty.internal.auth.CommandAuth.message(command, challenge, id, extra));
  }

  /** A connection that proved the locked sender key sends without per-send signatures; others cannot. */
  @Test
  void authorizedSenderSendsWithoutSignaturesOnThisConnectionOnly() throws Exception {
    var auth = new Object() {
      final int lock = dev.backchannel.netty.internal.auth.CommandAuth.LOCK;
      final int authorize = dev.backchannel.netty.internal.auth.CommandAuth.AUTHORIZE_SENDER;
    };
    byte[] id = RelayTestSupport.random(32);
    MailboxKeys k = createdMailbox(id);
    Frame.Builder unsignedSend = Frame.newBuilder().setRequestId(2).setSend(
        dev.backchannel.netty.internal.wire.Send.newBuilder().setMailboxId(ByteString.copyFrom(id))
            .setMessageId(ByteString.copyFrom(RelayTestSupport.random(16)))
            .setBody(ByteString.copyFrom(new byte[256])));
    // Not locked yet: a sender cannot be authorized.
    Frame.Builder authorize = Frame.newBuilder().setRequestId(3).setAuthorizeSender(
        dev.backchannel.netty.internal.wire.AuthorizeSender.newBuilder().setMailboxId(ByteString.copyFrom(id))
            .setSenderKey(ByteString.copyFrom(k.senderPub()))
            .setSignature(ByteString.copyFrom(signed(k.sender(), auth.authorize, id, k.senderPub()))));
    assertThat(request(authorize).getError().getCode()).isEqualTo(ErrorCode.LOCKED);
    assertThat(request(Frame.newBuilder().setRequestId(4).setLockMailbox(
        dev.backchannel.netty.internal.wire.LockMailbox.newBuilder().setMailboxId(ByteString.copyFrom(id))
            .setSenderKey(ByteString.copyFrom(k.senderPub()))
            .setSignature(ByteString.copyFrom(signed(k.owner(), auth.lock, id, k.senderPub()))))).hasOk()).isTrue();
    // Locked: an unsigned send is refused until the sender key is proven on this connection.
    assertThat(request(unsignedSend).getError().getCode()).isEqualTo(ErrorCode.LOCKED);
    // Another key, and a signature by another key, are refused.
    assertThat(request(Frame.newBuilder().setRequestId(5).setAuthorizeSender(
        dev.backchannel.netty.internal.wire.AuthorizeSender.newBuilder().setMailboxId(ByteString.copyFrom(id))
            .setSenderKey(ByteString.copyFrom(k.otherPub()))
            .setSignature(ByteString.copyFrom(signed(k.other(), auth.authorize, id, k.otherPub()))))).getError().getCode())
        .isEqualTo(ErrorCode.LOCKED);
    assertThat(request(Frame.newBuilder().setRequestId(6).setAuthorizeSender(
        dev.backchannel.netty.internal.wire.AuthorizeSender.newBuilder().setMailboxId(ByteString.copyFrom(id))
            .setSenderKey(ByteString.copyFrom(k.senderPub()))
            .setSignature(ByteString.copyFrom(signed(k.other(), auth.authorize, id, k.senderPub()))))).getError().getCode())
        .isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(request(authorize.setRequestId(7)).hasOk()).isTrue();
    assertThat(request(unsignedSend.setRequestId(8)).hasOk()).as("sends on this connection need no signature").isTrue();
    assertThat(store.usage(id).envelopes()).isEqualTo(1);
  }

  /**
   * A send whose own signature the relay verified against the lock authorizes its sender on this
   * connection, as AuthorizeSender does: later sends need no signature. Without it, the second
   * (unsigned) send below is refused as LOCKED.
   */
  @Test
  void aVerifiedSendSignatureAuthorizesTheSenderOnThisConnection() throws Exception {
    int lock = dev.backchannel.netty.internal.auth.CommandAuth.LOCK;
    int send = dev.backchannel.netty.internal.auth.CommandAuth.SEND;
    byte[] id = RelayTestSupport.random(32);
    MailboxKeys k = createdMailbox(id);
    assertThat(request(Frame.newBuilder().setRequestId(2).setLockMailbox(
        dev.backchannel.netty.internal.wire.LockMailbox.newBuilder().setMailboxId(ByteString.copyFrom(id))
            .setSenderKey(ByteString.copyFrom(k.senderPub()))
            .setSignature(ByteString.copyFrom(signed(k.owner(), lock, id, k.senderPub()))))).hasOk()).isTrue();
    byte[] body = new byte[256];
    byte[] mid1 = RelayTestSupport.random(16);
    // Signed by another key: refused, and authorizes nothing.
    assertThat(request(Frame.newBuilder().setRequestId(3).setSend(
        dev.backchannel.netty.internal.wire.Send.newBuilder().setMailboxId(ByteString.copyFrom(id))
            .setMessageId(ByteString.copyFrom(mid1)).setBody(ByteString.copyFrom(body))
            .setSenderKey(ByteString.copyFrom(k.otherPub()))
            .setSenderSignature(ByteString.copyFrom(signed(k.other(), send, id,
                dev.backchannel.netty.internal.auth.CommandAuth.sendExtra(mid1, body))))))
        .getError().getCode()).isEqualTo(ErrorCode.LOCKED);
    Frame.Builder unsigned = Frame.newBuilder().setRequestId(4).setSend(
        dev.backchannel.netty.internal.wire.Send.newBuilder().setMailboxId(ByteString.copyFrom(id))
            .setMessageId(ByteString.copyFrom(RelayTestSupport.random(16))).setBody(ByteString.copyFrom(body)));
    assertThat(request(unsigned).getError().getCode()).isEqualTo(ErrorCode.LOCKED);
    assertThat(request(Frame.newBuilder().setRequestId(5).setSend(
        dev.backchannel.netty.internal.wire.Send.newBuilder().setMailboxId(ByteString.copyFrom(id))
            .setMessageId(ByteString.copyFrom(mid1)).setBody(ByteString.copyFrom(body))
            .setSenderKey(ByteString.copyFrom(k.senderPub()))
            .setSenderSignature(ByteString.copyFrom(signed(k.sender(), send, id,
                dev.backchannel.netty.internal.auth.CommandAuth.sendExtra(mid1, body))))))
        .hasOk()).isTrue();
    assertThat(request(unsigned.setRequestId(6)).hasOk()).as("the verified signature authorized the sender").isTrue();
    assertThat(store.usage(id).envelopes()).isEqualTo(2);
  }

  /** An owner's, a sender's and a third party's keys, with their public halves. */
  private record MailboxKeys(dev.backchannel.crypto.SecretBytes owner, dev.backchannel.crypto.SecretBytes sender,
      dev.backchannel.crypto.SecretBytes other, byte[] senderPub, byte[] otherPub) {}

  /** Creates mailbox {@code id} with a new owner key over this connection; returns the keys. */
  private MailboxKeys createdMailbox(byte[] id) throws Exception {
    var owner = dev.backchannel.crypto.Ed25519.generatePrivateKey();
    var sender = dev.backchannel.crypto.Ed25519.generatePrivateKey();
    var other = dev.backchannel.crypto.Ed25519.generatePrivateKey();
    byte[] ownerPub = dev.backchannel.crypto.Ed25519.publicKey(owner);
    assertThat(request(Frame.newBuilder().setRequestId(1).setCreateMailbox(
        dev.backchannel.netty.internal.wire.CreateMailbox.newBuilder().setMailboxId(ByteString.copyFrom(id))
            .setOwnerKey(ByteString.copyFrom(ownerPub))
            .setSignature(ByteString.copyFrom(signed(owner, dev.backchannel.netty.internal.auth.CommandAuth.CREATE,
                id, null))))).hasOk()).isTrue();
    return new MailboxKeys(owner, sender, other, dev.backchannel.crypto.Ed25519.publicKey(sender),
        dev.backchannel.crypto.Ed25519.publicKey(other));
  }
}
