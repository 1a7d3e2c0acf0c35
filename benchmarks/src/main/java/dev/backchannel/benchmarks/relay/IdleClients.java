package dev.backchannel.benchmarks.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** {@code n} TLS connections to the relay that complete the handshake and then say nothing. */
final class IdleClients implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<Channel> channels = new ArrayList<>();
  private final Histogram connectMillis = new Histogram(3);

  IdleClients(int port, int n) throws Exception {
    SslContext ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.3")
        .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
          }
        });
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      ChannelFuture f = b.connect("127.0.0.1", port);
      if (!f.await(10, TimeUnit.SECONDS) || !f.isSuccess()) {
        break;
      }
      Channel ch = f.channel();
      if (!ch.pipeline().get(SslHandler.class).handshakeFuture().await(10, TimeUnit.SECONDS)) {
        break;
      }
      connectMillis.recordValue((System.nanoTime() - start) / 1_000_000);
      channels.add(ch);
    }
  }

  int connected() {
    return channels.size();
  }

  long connectP99Millis() {
    return connectMillis.getValueAtPercentile(99);
  }

  @Override
  public void close() {
    for (Channel c : channels) {
      c.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
