package dev.backchannel.netty.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.wire.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.ExecutorService;

/**
 * The relay's real frame decoder and command handler on an {@link EmbeddedChannel}, for the fuzz
 * tests: feeds bytes as a client would, lets the store work finish, and checks that nothing
 * escaped ({@code checkException}) and that every reply is a well-formed frame.
 */
final class RelayPipelineHarness {
  private RelayPipelineHarness() {}

  /** Runs {@code input} (released here) through a fresh connection's pipeline. */
  static void run(RelayConfig config, MailboxStore store, ExecutorService storeExecutor, ByteBuf input)
      throws Exception {
    RelayCounters counters = new RelayCounters();
    EmbeddedChannel ch = new EmbeddedChannel();
    Frames.addCodec(ch.pipeline(), config.maxFrameBytes());
    ch.pipeline().addLast(new RelayConnectionHandler(new RelayServices(config, store, storeExecutor,
        new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), counters,
        new Subscriptions(store, storeExecutor, counters), new MailboxRecords(store), new AddressLimits(config.limits()))));
    ch.pipeline().fireChannelActive();
    ch.writeInbound(input);
    // Store work runs on the (single-thread) store executor and comes back to the channel's loop.
    for (int i = 0; i < 3; i++) {
      storeExecutor.submit(() -> { }).get();
      ch.runPendingTasks();
    }
    ByteBuf all = Unpooled.buffer();
    try {
      for (Object o; (o = ch.readOutbound()) != null; ) {
        ByteBuf b = (ByteBuf) o;
        all.writeBytes(b);
        b.release();
      }
      while (all.readableBytes() >= 4) {
        int n = all.readInt();
        assertThat(n).isBetween(0, all.readableBytes());
        byte[] bytes = new byte[n];
        all.readBytes(bytes);
        Frame.parseFrom(bytes); // every reply is a well-formed frame
      }
      assertThat(all.readableBytes()).isZero();
    } finally {
      all.release();
    }
    ch.finishAndReleaseAll();
    ch.checkException();
  }
}
