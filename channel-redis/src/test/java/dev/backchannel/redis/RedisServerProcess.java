package dev.backchannel.redis;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One {@code redis-server} process of a test cluster: cluster mode, {@code appendonly yes},
 * {@code appendfsync always}, its own directory and log, loopback only. {@link #kill} sends
 * SIGKILL; {@link #launch} starts it again on the same port from its AOF and cluster config.
 * Used by {@link RedisClusterHarness}.
 */
final class RedisServerProcess {
  static final long START_MILLIS = 30_000;

  private final int port;
  private final Path dir;
  private final long nodeTimeoutMillis;
  private Process process;

  /**
   * @param nodeTimeoutMillis {@code cluster-node-timeout}, or 0 for Redis' default (15 s)
   */
  RedisServerProcess(int port, Path clusterDir, long nodeTimeoutMillis) throws IOException {
    this.port = port;
    this.dir = Files.createDirectories(clusterDir.resolve("node-" + port));
    this.nodeTimeoutMillis = nodeTimeoutMillis;
  }

  /** Fails with what to install, not a skip, when {@code program} is not on the PATH. */
  static void requireOnPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
        return;
      }
    }
    throw new IllegalStateException(program + " is not on the PATH: these tests need a real Redis"
        + " (7.0 or later). Install it, e.g. `apt-get install -y redis-server` on Debian/Ubuntu.");
  }

  /**
   * A port p in {@code [from, to)} such that p and its cluster bus port p + 10000 are both free
   * on loopback now.
   */
  static int freePortPair(int from, int to) throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int p = ThreadLocalRandom.current().nextInt(from, to);
      if (free(p) && free(p + 10_000)) {
        return p;
      }
    }
    throw new IOException("no free pair of loopback ports for a redis node");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  int port() {
    return port;
  }

  Path log() {
    return dir.resolve("redis.log");
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Starts the process (again); returns at once, see {@link #awaitPing}. */
  synchronized void launch() throws IOException {
    List<String> c = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
        "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
        "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString(),
        "--bind", "127.0.0.1", "--save", "", "--daemonize", "no"));
    if (nodeTimeoutMillis > 0) {
      c.addAll(List.of("--cluster-node-timeout", Long.toString(nodeTimeoutMillis)));
    }
    ProcessBuilder pb = new ProcessBuilder(c);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    process = pb.start();
  }

  /** Runs {@code command} and returns its output (stdout and stderr). */
  static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(START_MILLIS, TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + command);
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /** Runs {@code redis-cli -p <port> args...} and returns its output. */
  String cli(String... args) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
    c.addAll(List.of(args));
    return run(c);
  }

  /** Waits until the process answers PING. */
  void awaitPing() throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + START_MILLIS;
    while (!cli("ping").contains("PONG")) {
      if (!isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited; see " + log());
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("redis-server on port " + port + " does not answer");
      }
      Thread.sleep(50);
    }
  }

  /** Sends SIGKILL (no shutdown, no final fsync) and waits for the process to die. */
  synchronized void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroyForcibly(); // SIGKILL on Linux
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("redis-server on port " + port + " did not die");
    }
  }
}
