package dev.backchannel.examples.cli;

import dev.backchannel.api.error.MalformedInputException;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code daemon --socket PATH}: the daemon's JSON-RPC on a Unix domain socket, for several
 * clients at once (at most {@link #MAX_CLIENTS}; one more is told {@link RpcError#BUSY} and
 * closed). The socket file is made owner-only (0600) before it appears at PATH: it is bound in a
 * private directory beside PATH, restricted, then renamed into place. A stale socket at PATH (no
 * one listening) is replaced; anything else there is refused. {@link #close()} stops accepting,
 * closes every client and removes the socket file.
 *
 * <p>One thread per client; thread-safe.
 */
final class UnixSocketServer implements AutoCloseable {
  /** How many clients may be connected at once. */
  static final int MAX_CLIENTS = 32;

  private final Path path;
  private final ServerSocketChannel server;
  private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();

  private UnixSocketServer(Path path, ServerSocketChannel server) {
    this.path = path;
    this.server = server;
  }

  /**
   * Binds {@code path}, owner-only.
   *
   * @throws MalformedInputException if something other than a stale socket is at {@code path},
   *     or a daemon already listens there
   * @throws IOException if the socket cannot be made
   */
  static UnixSocketServer bind(Path path) throws IOException, MalformedInputException {
    Path target = path.toAbsolutePath();
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.readAttributes(target, java.nio.file.attribute.BasicFileAttributes.class,
          java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()) {
        throw new MalformedInputException(target + " exists and is not a socket");
      }
      try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(target))) {
        throw new MalformedInputException("a daemon already listens on " + target);
      } catch (IOException stale) {
        Files.delete(target);
      }
    }
    Path dir = Files.createTempDirectory(target.getParent(), ".bc-daemon-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path staged = dir.resolve("s");
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(staged));
      Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("rw-------"));
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      server.close();
      throw new MalformedInputException(target + " appeared while the socket was made");
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    } finally {
      Files.deleteIfExists(staged);
      Files.deleteIfExists(dir);
    }
    return new UnixSocketServer(target, server);
  }

  Path path() {
    return path;
  }

  /**
   * Accepts clients until {@link #close()}; each is served by {@code serve} on its own thread.
   *
   * @param session makes the session of one client from its input and output
   */
  void serve(java.util.function.BiFunction<InputStream, RpcSession.LineSink, Runnable> session) throws IOException {
    int n = 0;
    while (true) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (ClosedChannelException e) {
        return;
      }
      ChannelSink sink = new ChannelSink(ch);
      if (clients.size() >= MAX_CLIENTS) {
        sink.write("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":" + RpcError.BUSY
            + ",\"message\":\"too many clients (at most " + MAX_CLIENTS + ")\"},\"id\":null}");
        sink.close();
        continue;
      }
      clients.add(ch);
      Runnable body = session.apply(new ChannelInput(ch), sink);
      Thread t = new Thread(() -> {
        try {
          body.run();
        } finally {
          clients.remove(ch);
          sink.close();
        }
      }, "daemon-client-" + (++n));
      t.setDaemon(true);
      t.start();
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (SocketChannel ch : clients) {
      try {
        ch.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // a socket file left behind is replaced by the next daemon
    }
  }

  /**
   * Reads a socket channel directly (not through {@code Channels.newInputStream}, whose lock
   * would block writes while a read waits).
   */
  private static final class ChannelInput extends InputStream {
    private final SocketChannel ch;

    ChannelInput(SocketChannel ch) {
      this.ch = ch;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return ch.read(ByteBuffer.wrap(b, off, len));
      } catch (ClosedChannelException e) {
        return -1;
      }
    }
  }

  /** Writes whole lines to a socket channel. */
  private static final class ChannelSink implements RpcSession.LineSink {
    private final SocketChannel ch;

    ChannelSink(SocketChannel ch) {
      this.ch = ch;
    }

    @Override
    public synchronized void write(String line) throws IOException {
      ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }

    @Override
    public void close() {
      try {
        ch.close();
      } catch (IOException e) {
        // already closed
      }
    }
  }
}
