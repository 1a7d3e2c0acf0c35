package dev.backchannel.netty.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** One transport for relays and links alike, native epoll where it loads. */
class TransportTest {
  @Test
  void channelClassesMatchTheChosenTransport() {
    if (Transport.nativeEpoll()) {
      assertThat(Transport.socketChannel()).isEqualTo(EpollSocketChannel.class);
      assertThat(Transport.serverChannel()).isEqualTo(EpollServerSocketChannel.class);
    } else {
      assertThat(Transport.socketChannel()).isEqualTo(NioSocketChannel.class);
      assertThat(Transport.serverChannel()).isEqualTo(NioServerSocketChannel.class);
    }
  }

  @Test
  void onLinuxX8664WithTheNativeLibraryItIsEpoll() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")),
        "the native library on this module's test class path is for Linux x86-64 only");
    assertThat(Transport.nativeEpoll()).as("native epoll loaded").isTrue();
  }
}
