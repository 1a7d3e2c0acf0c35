package dev.backchannel.netty.relay;

import dev.backchannel.netty.internal.pipeline.Frames;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The relay's per-connection pipeline: TLS, idle timeout, framing, protobuf, the command handler. */
final class RelayServerInitializer extends ChannelInitializer<SocketChannel> {
  private final RelayServices services;
  private final SslContext ssl;

  RelayServerInitializer(RelayServices services, SslContext ssl) {
    this.services = services;
    this.ssl = ssl;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    RelayConfig config = services.config();
    RelayLimits limits = config.limits();
    ch.config().setWriteBufferWaterMark(
        new WriteBufferWaterMark(limits.writeBufferLowWaterMark(), limits.writeBufferHighWaterMark()));
    ChannelPipeline p = ch.pipeline();
    SslHandler tls = ssl.newHandler(ch.alloc());
    tls.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
    p.addLast("tls", tls);
    // Replies and deliveries written while a read is in progress, or queued from other threads,
    // leave in one TLS record and one write call instead of one each.
    p.addLast("flushes", new FlushConsolidationHandler(256, true));
    p.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    Frames.addCodec(p, config.maxFrameBytes());
    p.addLast("commands", new RelayConnectionHandler(services));
  }
}
