package dev.backchannel.benchmarks.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The baseline of the load generator: a plain Netty TLS 1.3 server with the relay's framing
 * (u32 length prefix) and no store, no protobuf, no signatures. A frame is {@code u32 pair ||
 * payload}; a connection whose first frame is {@code u32 pair} with no payload registers as that
 * pair's receiver, and every later frame for the pair is forwarded to it unchanged. It runs on
 * the same socket transport as the relay and the links: native epoll where it loads, NIO else.
 */
final class TlsForwarderBaseline implements AutoCloseable {
  private static final boolean EPOLL = Epoll.isAvailable();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(0,
      EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  private final Map<Integer, Channel> receivers = new ConcurrentHashMap<>();
  private final Channel server;
  private final SslContext clientSsl;

  TlsForwarderBaseline() throws Exception {
    SelfSignedCertificate cert = new SelfSignedCertificate();
    SslContext serverSsl = SslContextBuilder.forServer(cert.certificate(), cert.privateKey())
        .sslProvider(SslProvider.JDK).protocols("TLSv1.3").build();
    clientSsl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.3")
        .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
    server = new ServerBootstrap().group(group).channel(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(serverSsl.newHandler(ch.alloc()));
            ch.pipeline().addLast(new FlushConsolidationHandler(256, true)); // as the relay has
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4, true));
            ch.pipeline().addLast(new LengthFieldPrepender(4));
            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>(false) {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                int pair = frame.getInt(frame.readerIndex());
                if (frame.readableBytes() == 4) {
                  receivers.put(pair, ctx.channel());
                  frame.release();
                  return;
                }
                Channel to = receivers.get(pair);
                if (to == null) {
                  frame.release();
                } else {
                  to.writeAndFlush(frame);
                }
              }
            });
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** A client connection; {@code onFrame} gets each frame received (released after it returns). */
  Channel connect(Consumer<ByteBuf> onFrame) throws Exception {
    return new Bootstrap().group(group).channel(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(clientSsl.newHandler(ch.alloc(), "127.0.0.1", port()));
            ch.pipeline().addLast(new FlushConsolidationHandler(256, true)); // as RelayLink has
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4, true));
            ch.pipeline().addLast(new LengthFieldPrepender(4));
            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                onFrame.accept(frame);
              }
            });
          }
        })
        .connect("127.0.0.1", port()).sync().channel();
  }

  @Override
  public void close() {
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
