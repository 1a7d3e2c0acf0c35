package dev.backchannel.benchmarks.relay;

import dev.backchannel.benchmarks.profile.CpuByThread;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayLimits;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.redis.RedisMailboxStore;
import dev.backchannel.redis.RedisStoreConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The relay cluster beside its baselines, in one run: 1, 2 and 3 relay nodes sharing one Redis
 * Cluster (one key file, each node its own {@link RedisMailboxStore}), the single embedded
 * RocksDB node and the plain TLS forwarder, with the same pairs, size and window. With n nodes,
 * pair p's receiver is on node {@code p mod n} and its sender on node {@code (p+1) mod n}, so
 * every envelope crosses between nodes (a sharded notice wakes the receiver's node). For each
 * run it reports messages per second, latency, the JVM's CPU per message split by thread group
 * (the relay nodes' event loops, store threads and Lettuce threads, which are still running when
 * it is read, and the load's own client links, which have ended by then) and the Redis masters'
 * CPU per message ({@code INFO cpu}).
 *
 * <p>Usage (a Redis Cluster must be running, e.g. README's "Three relay nodes on one machine"):
 * {@code java -cp benchmarks/target/benchmarks.jar dev.backchannel.benchmarks.relay.ClusterLoadGenerator
 * --redis=127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003 [--pairs=16] [--messages=1000] [--size=1024]
 * [--window=32] [--rounds=1] [--json=cluster-load.json]}. Everything runs on 127.0.0.1; relays and
 * clients share this JVM, so their CPU is measured together and told apart by thread.
 */
public final class ClusterLoadGenerator {
  private final List<String> redis = new ArrayList<>();
  private final PairsLoad load;
  private final int rounds;
  private final Path json;
  private final Map<String, Object> results = new LinkedHashMap<>();

  private ClusterLoadGenerator(Map<String, String> a) {
    for (String s : a.getOrDefault("redis", "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003").split(",")) {
      redis.add(s.strip());
    }
    load = new PairsLoad(Integer.parseInt(a.getOrDefault("pairs", "16")),
        Integer.parseInt(a.getOrDefault("messages", "1000")), Integer.parseInt(a.getOrDefault("size", "1024")),
        Integer.parseInt(a.getOrDefault("window", "32")));
    rounds = Integer.parseInt(a.getOrDefault("rounds", "1"));
    json = Path.of(a.getOrDefault("json", "cluster-load.json"));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : args) {
      String s = arg.startsWith("--") ? arg.substring(2) : arg;
      int eq = s.indexOf('=');
      a.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "true" : s.substring(eq + 1));
    }
    new ClusterLoadGenerator(a).run();
    System.exit(0);
  }

  private void run() throws Exception {
    results.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    results.put("cores", Runtime.getRuntime().availableProcessors());
    results.put("pairs", load.pairs());
    results.put("messagesPerSender", load.messages());
    results.put("redisMasters", redis.size());
    Path dir = Files.createTempDirectory("cluster-load");
    try {
      // Warm-up of every path (JIT, TLS, scripts loaded), not reported.
      load.forwarder();
      rocksDb(dir, "warmup");
      cluster(dir, 2, "warmup");
      for (int r = 1; r <= rounds; r++) {
        String round = rounds > 1 ? ".round" + r : "";
        record("forwarder" + round, load.forwarder(), null, 0);
        rocksDb(dir, "rocksdb" + round);
        for (int n = 1; n <= 3; n++) {
          cluster(dir, n, "redis" + n + round);
        }
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    print();
  }

  private static RelayConfig.Builder node(Path dir) {
    // every client of the run comes from 127.0.0.1
    return RelayConfig.builder(dir).port(0).limits(RelayLimits.defaults().withBudgets(100_000, 1_000_000, 1_000_000));
  }

  private void rocksDb(Path dir, String name) throws Exception {
    try (RelayServer relay = RelayServer.start(node(dir.resolve(name + "-" + System.nanoTime())).build())) {
      CpuByThread cpu = new CpuByThread();
      double redisBefore = redisCpuSeconds();
      PairsLoad.Result r = load.relays(p -> relay.address(), p -> relay.address());
      record(name, r, cpu, redisCpuSeconds() - redisBefore);
    }
  }

  private void cluster(Path dir, int n, String name) throws Exception {
    RedisStoreConfig.Builder store = RedisStoreConfig.builder().keyPrefix("load" + Long.toHexString(System.nanoTime()));
    redis.forEach(store::node);
    RedisStoreConfig config = store.build();
    Path key = dir.resolve("cluster.key");
    List<RelayServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        nodes.add(RelayServer.start(node(dir.resolve(name + "-node" + i + "-" + System.nanoTime()))
            .keyFile(key).mailboxStore(RedisMailboxStore.open(config)).build()));
      }
      List<RelayAddress> addresses = nodes.stream().map(RelayServer::address).toList();
      CpuByThread cpu = new CpuByThread();
      double redisBefore = redisCpuSeconds();
      PairsLoad.Result r = load.relays(p -> addresses.get(p % n), p -> addresses.get((p + 1) % n));
      record(name, r, cpu, redisCpuSeconds() - redisBefore);
    } finally {
      for (RelayServer s : nodes) {
        s.close();
      }
    }
  }

  /** User + system CPU seconds of the Redis masters so far ({@code INFO cpu}), or NaN. */
  private double redisCpuSeconds() {
    double sum = 0;
    for (String seed : redis) {
      int colon = seed.lastIndexOf(':');
      try {
        Process p = new ProcessBuilder("redis-cli", "-h", seed.substring(0, colon), "-p", seed.substring(colon + 1),
            "info", "cpu").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return Double.NaN;
        }
        for (String line : out.split("\r?\n")) {
          if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
            sum += Double.parseDouble(line.substring(line.indexOf(':') + 1).strip());
          }
        }
      } catch (IOException | RuntimeException e) {
        return Double.NaN;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Double.NaN;
      }
    }
    return sum;
  }

  private void record(String name, PairsLoad.Result r, CpuByThread cpu, double redisSeconds) {
    if (name.startsWith("warmup")) {
      return;
    }
    double total = load.pairs() * (double) load.messages();
    results.put(name + ".messagesPerSecond", r.messagesPerSecond());
    results.put(name + ".latencyMicrosP50", r.p50Micros());
    results.put(name + ".latencyMicrosP99", r.p99Micros());
    results.put(name + ".latencyMicrosP999", r.p999Micros());
    if (cpu == null) {
      return;
    }
    results.put(name + ".jvmCpuMicrosPerMessage", cpu.processNanos() / 1e3 / total);
    if (!Double.isNaN(redisSeconds)) {
      results.put(name + ".redisCpuMicrosPerMessage", redisSeconds * 1e6 / total);
    }
    int shown = 0;
    long live = 0;
    for (Map.Entry<String, Long> e : cpu.byGroup().entrySet()) {
      live += e.getValue();
      if (shown < 6 && e.getValue() >= 1_000_000) {
        shown++;
        results.put(name + ".cpu[" + e.getKey() + "].microsPerMessage", e.getValue() / 1e3 / total);
      }
    }
    // The load's client links are closed when the run ends: their threads are counted here.
    results.put(name + ".cpu[ended threads: the load's clients].microsPerMessage",
        Math.max(0, cpu.processNanos() - live) / 1e3 / total);
  }

  private void print() throws IOException {
    StringBuilder j = new StringBuilder("{\n");
    int i = 0;
    for (Map.Entry<String, Object> e : results.entrySet()) {
      Object v = e.getValue();
      String value = v instanceof Number x ? String.format(Locale.ROOT, "%.3f", x.doubleValue()) : "\"" + v + "\"";
      j.append("  \"").append(e.getKey().replace("\"", "'")).append("\": ").append(value)
          .append(++i < results.size() ? ",\n" : "\n");
      System.out.printf(Locale.ROOT, "%-64s %s%n", e.getKey(),
          v instanceof Number x
              ? String.format(Locale.ROOT, Math.abs(x.doubleValue()) < 10 ? "%.3f" : "%,.1f", x.doubleValue())
              : v);
    }
    j.append("}\n");
    Files.writeString(json, j);
    System.out.println("written " + json.toAbsolutePath());
  }
}
