package dev.backchannel.netty.internal.pipeline;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The socket transport of every relay and link in this JVM: Linux's native epoll where its
 * library is on the class path and loads (fewer system calls and wake-ups per message than the
 * JDK's selector), the JDK's NIO otherwise. One choice for the whole JVM, so event loops and
 * channels made apart always match.
 */
public final class Transport {
  private static final boolean EPOLL = Epoll.isAvailable();

  private Transport() {}

  /** Whether the native epoll transport is in use. */
  public static boolean nativeEpoll() {
    return EPOLL;
  }

  /** I/O handlers for an event loop group. */
  public static IoHandlerFactory ioHandlers() {
    return EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
  }

  /** The client socket channel class matching {@link #ioHandlers()}. */
  public static Class<? extends SocketChannel> socketChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** The server socket channel class matching {@link #ioHandlers()}. */
  public static Class<? extends ServerChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }
}
