package dev.backchannel.redis;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real three-master Redis Cluster for tests, no Docker: three {@code redis-server} processes on
 * free loopback ports, each with {@code appendonly yes} and {@code appendfsync always} in its own
 * directory under a temp dir, joined with {@code redis-cli --cluster create}. {@link #kill} sends
 * SIGKILL to one node and {@link #restart} starts it again from its AOF on the same port.
 * {@link #close} kills every node and deletes the directory.
 *
 * <p>Fails (does not skip) with a message saying what to install when {@code redis-server} or
 * {@code redis-cli} is not on the PATH.
 */
public final class RedisClusterHarness implements AutoCloseable {
  private static final int NODES = 3;
  private static final long START_MILLIS = 30_000;
  private static RedisClusterHarness shared;

  private final Path dir;
  private final int[] ports = new int[NODES];
  private final Process[] processes = new Process[NODES];

  private RedisClusterHarness(Path dir) {
    this.dir = dir;
  }

  /** A cluster shared by the tests of this JVM, started on first use, stopped at exit. */
  public static synchronized RedisClusterHarness shared() throws IOException, InterruptedException {
    if (shared == null) {
      shared = start();
      RedisClusterHarness h = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(h::close, "redis-harness-stop"));
    }
    return shared;
  }

  /** Starts a fresh cluster. */
  public static RedisClusterHarness start() throws IOException, InterruptedException {
    requireOnPath("redis-server");
    requireOnPath("redis-cli");
    RedisClusterHarness h = new RedisClusterHarness(Files.createTempDirectory("bc-redis-cluster-"));
    try {
      for (int i = 0; i < NODES; i++) {
        h.ports[i] = freePortPair();
        h.launch(i);
      }
      for (int i = 0; i < NODES; i++) {
        h.awaitPing(i);
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int p : h.ports) {
        create.add("127.0.0.1:" + p);
      }
      create.add("--cluster-yes");
      String out = run(create);
      if (!out.contains("All 16384 slots covered")) {
        throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
      }
      for (int i = 0; i < NODES; i++) {
        h.awaitClusterOk(i);
      }
      return h;
    } catch (IOException | InterruptedException | RuntimeException e) {
      h.close();
      throw e;
    }
  }

  private static void requireOnPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
        return;
      }
    }
    throw new IllegalStateException(program + " is not on the PATH: these tests need a real Redis"
        + " (7.0 or later). Install it, e.g. `apt-get install -y redis-server` on Debian/Ubuntu.");
  }

  /** A port p such that p and its cluster bus port p + 10000 are both free on loopback. */
  private static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int p = ThreadLocalRandom.current().nextInt(20_000, 55_000);
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

  private void launch(int i) throws IOException {
    int p = ports[i];
    Path nodeDir = Files.createDirectories(dir.resolve("node-" + p));
    ProcessBuilder pb = new ProcessBuilder("redis-server", "--port", Integer.toString(p),
        "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + p + ".conf",
        "--appendonly", "yes", "--appendfsync", "always", "--dir", nodeDir.toString(),
        "--bind", "127.0.0.1", "--save", "", "--daemonize", "no");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    processes[i] = pb.start();
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(START_MILLIS, TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + command);
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  /** Runs {@code redis-cli -p <port of node i> args...} and returns its output. */
  public String cli(int i, String... args) throws IOException, InterruptedException {
    List<String> c = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(ports[i])));
    c.addAll(List.of(args));
    return run(c);
  }

  private void awaitPing(int i) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + START_MILLIS;
    while (!cli(i, "ping").contains("PONG")) {
      if (!processes[i].isAlive()) {
        throw new IllegalStateException("redis-server on port " + ports[i] + " exited; see "
            + dir.resolve("node-" + ports[i]).resolve("redis.log"));
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("redis-server on port " + ports[i] + " does not answer");
      }
      Thread.sleep(50);
    }
  }

  /** Waits until node {@code i} reports {@code cluster_state:ok}. */
  public void awaitClusterOk(int i) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + START_MILLIS;
    while (!cli(i, "cluster", "info").contains("cluster_state:ok")) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("node on port " + ports[i] + " never reached cluster_state:ok");
      }
      Thread.sleep(100);
    }
  }

  /** Seed addresses as {@code 127.0.0.1:port}. */
  public List<String> seeds() {
    List<String> s = new ArrayList<>();
    for (int p : ports) {
      s.add("127.0.0.1:" + p);
    }
    return s;
  }

  /** A store configuration for this cluster under {@code prefix}. */
  public RedisStoreConfig.Builder config(String prefix) {
    RedisStoreConfig.Builder b = RedisStoreConfig.builder().keyPrefix(prefix);
    seeds().forEach(b::node);
    return b;
  }

  /** The index of the node that serves hash slot {@code slot}. */
  public int nodeOfSlot(int slot) throws IOException, InterruptedException {
    for (String line : cli(0, "cluster", "nodes").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 9 || !f[2].contains("master")) {
        continue;
      }
      for (int k = 8; k < f.length; k++) {
        String[] range = f[k].split("-");
        if (range[0].startsWith("[")) {
          continue;
        }
        int lo = Integer.parseInt(range[0]);
        int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
        if (slot >= lo && slot <= hi) {
          int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
          for (int i = 0; i < NODES; i++) {
            if (ports[i] == port) {
              return i;
            }
          }
        }
      }
    }
    throw new IllegalStateException("no node serves slot " + slot);
  }

  /** Sends SIGKILL to node {@code i} (no shutdown, no final fsync) and waits for it to die. */
  public void kill(int i) throws InterruptedException {
    Process p = processes[i];
    p.destroyForcibly(); // SIGKILL on Linux
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("redis node " + i + " did not die");
    }
  }

  /** Starts node {@code i} again on its port; it loads its AOF and cluster config. */
  public void restart(int i) throws IOException, InterruptedException {
    launch(i);
    awaitPing(i);
    for (int k = 0; k < NODES; k++) {
      awaitClusterOk(k);
    }
  }

  @Override
  public synchronized void close() {
    for (Process p : processes) {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp dir
    }
  }
}
