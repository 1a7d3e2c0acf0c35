package dev.backchannel.netty.client;

import dev.backchannel.netty.internal.pipeline.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Threads that many {@link RelayLink}s share ({@link RelayLink.Builder#loops}): each link runs on
 * one of them. Without it every link has a thread of its own, which is right for the one or two
 * links of a peer and costs context switches in a process that holds hundreds. Closing the loops
 * closes every link still on them; close the links first. Thread-safe.
 *
 * @since 0.1
 */
public final class LinkLoops implements AutoCloseable {
  private final EventLoopGroup group;

  private LinkLoops(int threads) {
    this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("backchannel-link-io"),
        Transport.ioHandlers());
  }

  /**
   * {@code threads} threads for links to share.
   *
   * @throws IllegalArgumentException unless 1 ≤ {@code threads} ≤ 256
   */
  public static LinkLoops create(int threads) {
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("link loops need 1..256 threads, got " + threads);
    }
    return new LinkLoops(threads);
  }

  EventLoopGroup group() {
    return group;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return group.isShuttingDown();
  }

  /** Stops the threads (waiting at most 5 s). Idempotent. */
  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "LinkLoops[" + (isClosed() ? "closed" : "running") + "]";
  }
}
