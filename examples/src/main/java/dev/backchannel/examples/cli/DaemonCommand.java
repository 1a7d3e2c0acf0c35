package dev.backchannel.examples.cli;

import dev.backchannel.api.Peer;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.MalformedInputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code peer --state DIR daemon [--socket PATH]}: keeps the state open, one {@link Peer} for the
 * daemon's life, and speaks JSON-RPC 2.0, one message per line: on standard input and output, or
 * with {@code --socket} on a Unix domain socket for several clients (docs/CLI-JSON.md). Requests
 * are the {@code peer} verbs ({@link RpcMethods}); notifications carry what {@code receive} would
 * print, plus gaps and deliveries ({@link PeerWatcher}).
 *
 * <p>On standard input, the end of input ends the daemon: the state is closed and it exits 0.
 * With {@code --socket}, standard input is not read; the daemon runs until it is stopped
 * (SIGINT or SIGTERM), then closes the state and removes the socket. A request line over
 * {@link #MAX_REQUEST_BYTES} is refused with an error and the daemon goes on. A failure to start
 * (no relay, the state in use, a wrong passphrase) is one {@code error:} line and the exit code of
 * the other commands.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
    description = "Keep the state open and answer JSON-RPC 2.0, one message per line, on stdin/stdout"
        + " (or on a Unix socket with --socket).")
final class DaemonCommand implements Callable<Integer> {
  /** The largest request line, in bytes. */
  static final int MAX_REQUEST_BYTES = 1 << 20;

  @ParentCommand PeerCommand peer;

  @Option(names = "--socket", paramLabel = "PATH",
      description = "Serve on a Unix domain socket at PATH (owner-only) instead of stdin/stdout.")
  Path socket;

  @Option(names = "--relay", paramLabel = "ADDR",
      description = "The relay, for a state that has none yet (bcr://<key hash>@host:port).")
  String relay;

  @Option(names = "--receive-mode", paramLabel = "MODE", defaultValue = "notify",
      description = "notify (default): incoming messages are notifications; manual: fetch them with receive.")
  String receiveMode;

  @Override
  public Integer call() {
    return peer.run(() -> {
      if (!receiveMode.equals("notify") && !receiveMode.equals("manual")) {
        throw new MalformedInputException("--receive-mode must be notify or manual, not " + receiveMode);
      }
      boolean manual = receiveMode.equals("manual");
      RelayAddress address = relay == null ? null : RelayAddress.parse(relay);
      try (Peer p = peer.open(address, (java.time.Duration) null)) {
        RelayAddress used = peer.savedRelay().orElseThrow();
        RpcDispatcher dispatcher = new RpcDispatcher(RpcMethods.of(p, used, manual), MAX_REQUEST_BYTES);
        Broadcaster clients = new Broadcaster();
        try (PeerWatcher watcher = new PeerWatcher(peer, p, clients, manual)) {
          watcher.start();
          return socket == null ? stdio(dispatcher, clients) : socket(dispatcher, clients, p, watcher);
        }
      }
    });
  }

  private int stdio(RpcDispatcher dispatcher, Broadcaster clients) {
    PrintWriter out = peer.spec.commandLine().getOut();
    RpcSession session = new RpcSession("stdio", System.in, new RpcSession.LineSink() {
      @Override
      public void write(String line) throws java.io.IOException {
        out.println(line);
        out.flush();
        if (out.checkError()) {
          throw new java.io.IOException("standard output is closed");
        }
      }

      @Override
      public void close() {
        out.flush();
      }
    }, dispatcher, MAX_REQUEST_BYTES);
    clients.add(session);
    session.serve();
    clients.remove(session);
    return ExitCodes.OK;
  }

  private int socket(RpcDispatcher dispatcher, Broadcaster clients, Peer p, PeerWatcher watcher) throws Exception {
    UnixSocketServer server = UnixSocketServer.bind(socket);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      server.close();
      watcher.close();
      p.close();
      try {
        stopped.await(java.util.concurrent.TimeUnit.SECONDS.toMillis(5), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "daemon-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter err = peer.spec.commandLine().getErr();
    err.println("daemon: listening on " + server.path());
    err.flush();
    try {
      server.serve((in, sink) -> {
        RpcSession s = new RpcSession("socket", in, sink, dispatcher, MAX_REQUEST_BYTES);
        clients.add(s);
        return () -> {
          try {
            s.serve();
          } finally {
            clients.remove(s);
          }
        };
      });
    } finally {
      server.close();
      stopped.countDown();
    }
    return ExitCodes.OK;
  }
}
