package dev.backchannel.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Redis Cluster for tests, no Docker: {@code redis-server} processes
 * ({@link RedisServerProcess}) on free loopback ports, each with {@code appendonly yes} and
 * {@code appendfsync always} in its own directory under a temp dir, joined with
 * {@code redis-cli --cluster create}. {@link #start} makes three masters; {@link
 * #startWithReplicas} three masters with one replica each and a 2 s {@code cluster-node-timeout},
 * so a replica is promoted a few seconds after its master dies. {@link #kill} sends SIGKILL to
 * one node and {@link #restart} starts it again from its AOF on the same port. {@link #close}
 * kills every node and deletes the directory.
 *
 * <p>Fails (does not skip) with a message saying what to install when {@code redis-server} or
 * {@code redis-cli} is not on the PATH.
 */
public final class RedisClusterHarness implements AutoCloseable {
  /** {@code cluster-node-timeout} of a cluster with replicas: the failure detection time. */
  public static final long REPLICA_NODE_TIMEOUT_MILLIS = 2_000;
  private static final long START_MILLIS = RedisServerProcess.START_MILLIS;
  private static RedisClusterHarness shared;

  private final Path dir;
  private final List<RedisServerProcess> nodes = new ArrayList<>();

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

  /** Starts a fresh cluster of three masters without replicas. */
  public static RedisClusterHarness start() throws IOException, InterruptedException {
    return start(0, 0, 20_000, 55_000);
  }

  /**
   * Starts a fresh cluster of three masters, each with one replica (six processes), with
   * {@value #REPLICA_NODE_TIMEOUT_MILLIS} ms {@code cluster-node-timeout}; returns once every
   * node reports {@code cluster_state:ok} and every replica's link to its master is up. Its
   * client ports are drawn from 10000..19999 (bus ports 20000..29999), apart from most of
   * {@link #start}'s range.
   */
  public static RedisClusterHarness startWithReplicas() throws IOException, InterruptedException {
    return start(1, REPLICA_NODE_TIMEOUT_MILLIS, 10_000, 20_000);
  }

  private static RedisClusterHarness start(int replicas, long nodeTimeout, int portFrom, int portTo)
      throws IOException, InterruptedException {
    RedisServerProcess.requireOnPath("redis-server");
    RedisServerProcess.requireOnPath("redis-cli");
    RedisClusterHarness h = new RedisClusterHarness(Files.createTempDirectory("bc-redis-cluster-"));
    try {
      int count = 3 * (1 + replicas);
      for (int i = 0; i < count; i++) {
        RedisServerProcess n = new RedisServerProcess(
            RedisServerProcess.freePortPair(portFrom, portTo), h.dir, nodeTimeout);
        h.nodes.add(n);
        n.launch();
      }
      for (RedisServerProcess n : h.nodes) {
        n.awaitPing();
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      create.addAll(h.seeds());
      if (replicas > 0) {
        create.addAll(List.of("--cluster-replicas", Integer.toString(replicas)));
      }
      create.add("--cluster-yes");
      String out = RedisServerProcess.run(create);
      if (!out.contains("All 16384 slots covered")) {
        throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
      }
      for (int i = 0; i < count; i++) {
        h.awaitClusterOk(i);
      }
      if (replicas > 0) {
        h.awaitReplicasInSync();
      }
      return h;
    } catch (IOException | InterruptedException | RuntimeException e) {
      h.close();
      throw e;
    }
  }

  /** How many redis-server processes the cluster has (masters and replicas). */
  public int size() {
    return nodes.size();
  }

  /** Runs {@code redis-cli -p <port of node i> args...} and returns its output. */
  public String cli(int i, String... args) throws IOException, InterruptedException {
    return nodes.get(i).cli(args);
  }

  /** Waits until node {@code i} reports {@code cluster_state:ok}. */
  public void awaitClusterOk(int i) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + START_MILLIS;
    while (!cli(i, "cluster", "info").contains("cluster_state:ok")) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("node on port " + nodes.get(i).port()
            + " never reached cluster_state:ok");
      }
      Thread.sleep(100);
    }
  }

  /** Waits until every live replica reports {@code master_link_status:up}. */
  public void awaitReplicasInSync() throws IOException, InterruptedException {
    for (int i = 0; i < nodes.size(); i++) {
      if (!nodes.get(i).isAlive()) {
        continue;
      }
      long deadline = System.currentTimeMillis() + START_MILLIS;
      String info;
      while ((info = cli(i, "info", "replication")).contains("role:slave")
          && !info.contains("master_link_status:up")) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("replica on port " + nodes.get(i).port() + " never synced");
        }
        Thread.sleep(100);
      }
    }
  }

  /** Seed addresses as {@code 127.0.0.1:port}, every node's. */
  public List<String> seeds() {
    List<String> s = new ArrayList<>();
    for (RedisServerProcess n : nodes) {
      s.add("127.0.0.1:" + n.port());
    }
    return s;
  }

  /** A store configuration for this cluster under {@code prefix}. */
  public RedisStoreConfig.Builder config(String prefix) {
    RedisStoreConfig.Builder b = RedisStoreConfig.builder().keyPrefix(prefix);
    seeds().forEach(b::node);
    return b;
  }

  /** The index of the node whose port is {@code port}, or -1. */
  private int indexOfPort(int port) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).port() == port) {
        return i;
      }
    }
    return -1;
  }

  /** {@code CLUSTER NODES} as a live node sees it, one array of fields per line. */
  private List<String[]> clusterNodes() throws IOException, InterruptedException {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).isAlive()) {
        List<String[]> out = new ArrayList<>();
        for (String line : cli(i, "cluster", "nodes").split("\n")) {
          String[] f = line.trim().split(" ");
          if (f.length >= 8) {
            out.add(f);
          }
        }
        return out;
      }
    }
    throw new IllegalStateException("no redis node is alive");
  }

  private int indexOf(String[] fields) {
    return indexOfPort(Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@'))));
  }

  /**
   * For each of the 16384 hash slots, the index of the node that serves it as a live node sees
   * it now (-1 where none does).
   */
  public int[] slotOwners() throws IOException, InterruptedException {
    int[] owner = new int[16384];
    java.util.Arrays.fill(owner, -1);
    for (String[] f : clusterNodes()) {
      if (!f[2].contains("master") || f[2].contains("fail")) {
        continue;
      }
      for (int k = 8; k < f.length; k++) {
        String[] range = f[k].split("-");
        if (range[0].startsWith("[")) {
          continue;
        }
        int lo = Integer.parseInt(range[0]);
        int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
        for (int s = lo; s <= hi; s++) {
          owner[s] = indexOf(f);
        }
      }
    }
    return owner;
  }

  /** The index of the node that serves hash slot {@code slot}. */
  public int nodeOfSlot(int slot) throws IOException, InterruptedException {
    int n = slotOwners()[slot];
    if (n < 0) {
      throw new IllegalStateException("no node serves slot " + slot);
    }
    return n;
  }

  /** The indexes of the nodes that replicate master {@code master}. */
  public List<Integer> replicasOf(int master) throws IOException, InterruptedException {
    List<String[]> all = clusterNodes();
    String masterId = null;
    for (String[] f : all) {
      if (indexOf(f) == master) {
        masterId = f[0];
      }
    }
    List<Integer> out = new ArrayList<>();
    for (String[] f : all) {
      if (f[2].contains("slave") && f[3].equals(masterId)) {
        out.add(indexOf(f));
      }
    }
    return out;
  }

  /** Sends SIGKILL to node {@code i} (no shutdown, no final fsync) and waits for it to die. */
  public void kill(int i) throws InterruptedException {
    nodes.get(i).kill();
  }

  /** Starts node {@code i} again on its port; it loads its AOF and cluster config. */
  public void restart(int i) throws IOException, InterruptedException {
    nodes.get(i).launch();
    nodes.get(i).awaitPing();
    for (int k = 0; k < nodes.size(); k++) {
      if (nodes.get(k).isAlive()) {
        awaitClusterOk(k);
      }
    }
  }

  @Override
  public synchronized void close() {
    for (RedisServerProcess n : nodes) {
      try {
        n.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // keep stopping the others
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp dir
    }
  }
}
