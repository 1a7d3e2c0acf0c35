package dev.backchannel.netty.relay;

import com.google.protobuf.ByteString;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.Ping;
import dev.backchannel.netty.internal.wire.Send;
import dev.backchannel.netty.internal.wire.Subscribe;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generator-driven fuzzing of the relay's frame decoder and command handler (checklist 29):
 * arbitrary bytes, and valid frames with random mutations, never make the pipeline throw, never
 * leak a buffer (PARANOID leak detection) and only ever produce well-formed reply frames.
 */
class RelayFrameFuzzProperties {
  private static Path dir;
  private static RocksDbMailboxStore store;
  private static ExecutorService storeExecutor;

  @BeforeContainer
  static void open() throws Exception {
    dir = Files.createTempDirectory("relay-fuzz");
    store = new RocksDbMailboxStore(dir.resolve("store"));
    storeExecutor = Executors.newSingleThreadExecutor();
  }

  @AfterContainer
  static void close() {
    storeExecutor.shutdownNow();
    store.close();
  }

  @Provide
  Arbitrary<byte[]> inputs() {
    Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<byte[]> framed = raw.map(b -> Unpooled.buffer().writeInt(b.length).writeBytes(b).array());
    Arbitrary<byte[]> mutated = Arbitraries.of(validFrames()).flatMap(valid ->
        Arbitraries.integers().between(0, valid.length - 1).list().ofMinSize(1).ofMaxSize(4).map(positions -> {
          byte[] copy = valid.clone();
          for (int p : positions) {
            copy[p] ^= (byte) (1 + p % 251);
          }
          return copy;
        }));
    return Arbitraries.oneOf(raw, framed, mutated);
  }

  private static List<byte[]> validFrames() {
    return List.of(
        frame(Frame.newBuilder().setRequestId(1).setPing(Ping.getDefaultInstance()).build()),
        frame(Frame.newBuilder().setRequestId(2).setSubscribe(Subscribe.newBuilder()
            .setMailboxId(ByteString.copyFrom(new byte[32])).setSignature(ByteString.copyFrom(new byte[64]))).build()),
        frame(Frame.newBuilder().setRequestId(3).setSend(Send.newBuilder()
            .setMailboxId(ByteString.copyFrom(new byte[32])).setMessageId(ByteString.copyFrom(new byte[16]))
            .setBody(ByteString.copyFrom(new byte[256]))).build()));
  }

  private static byte[] frame(Frame f) {
    byte[] b = f.toByteArray();
    return Unpooled.buffer().writeInt(b.length).writeBytes(b).array();
  }

  @Property(tries = 400)
  void anyInputIsHandledWithoutEscapingErrors(@ForAll("inputs") byte[] input) throws Exception {
    RelayConfig config = RelayConfig.builder(dir).maxFrameBytes(70_000).build();
    RelayPipelineHarness.run(config, store, storeExecutor, Unpooled.wrappedBuffer(input));
  }
}
