package dev.backchannel.benchmarks.peer;

import com.sun.management.ThreadMXBean;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.PendingInvitation;
import dev.backchannel.benchmarks.profile.CpuByThread;
import dev.backchannel.benchmarks.profile.PhaseRecording;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Recorder;

/**
 * Two {@code Peer}s through an in-process relay (TLS on loopback, RocksDB with fsync on both
 * peers and the relay): messages per second end to end, the rate at which sends are accepted by
 * the relay, send-to-receive latency and allocation per delivered message, for message sizes,
 * messages in flight and numbers of conversations. Beside it, in the same run: the relay alone
 * (links, locked mailbox, same window) and the disk's synchronous write rate, so the results read
 * as ratios.
 *
 * <p>{@code java -cp benchmarks.jar dev.backchannel.benchmarks.peer.PeerLoadGenerator [--quick]
 * [--messages=N] [--warmup=ROUNDS] [--json=FILE] [--jfr=DIR] [--threads]}; {@code --jfr} records each measured scenario
 * in its own flight recording ({@code DIR/NAME.jfr}, the JDK's "profile" settings) for allocation and
 * CPU profiles of one scenario at a time; {@code --threads} prints each scenario's CPU per message
 * by thread group (the twelve largest).
 */
public final class PeerLoadGenerator {
  private final Map<String, Object> results = new LinkedHashMap<>();
  private final boolean quick;
  private final int messages;
  private final Path json;
  private final Path jfr;
  private final boolean threadGroups;
  /** Warm-up rounds at most before measuring (30 with --quick, 40 without). */
  private final int maxWarmupRounds;

  private PeerLoadGenerator(Map<String, String> a) {
    quick = a.containsKey("quick");
    messages = Integer.parseInt(a.getOrDefault("messages", quick ? "3000" : "10000"));
    json = Path.of(a.getOrDefault("json", "peer-load.json"));
    jfr = a.containsKey("jfr") ? Path.of(a.get("jfr")) : null;
    maxWarmupRounds = Integer.parseInt(a.getOrDefault("warmup", quick ? "30" : "40"));
    threadGroups = a.containsKey("threads");
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : args) {
      String s = arg.startsWith("--") ? arg.substring(2) : arg;
      int eq = s.indexOf('=');
      a.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "true" : s.substring(eq + 1));
    }
    new PeerLoadGenerator(a).run();
    System.exit(0);
  }

  private void run() throws Exception {
    results.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    results.put("cores", Runtime.getRuntime().availableProcessors());
    Path dir = Files.createTempDirectory("peer-load");
    try {
      double disk = DiskSyncBaseline.writesPerSecond(dir, 2000);
      results.put("baseline.diskSyncWrites1KiBPerSecond", disk);
      try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0)
          .maxRequestsPerSecond(100_000).build())) { // as the relay load generator: measure, not police
        try (Peer alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(relay.address()).build();
            Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(relay.address()).build()) {
          List<Conversation[]> pairs = new ArrayList<>();
          pairs.add(pair(alice, bob, 0));
          warmUp(relay, pairs);
          // the baseline after the same warm-up, right before the scenario it is compared with
          double relayOnly = RelayOnlyBaseline.messagesPerSecond(relay.address(), messages, 1024, 256);
          results.put("baseline.relayOnly1KiBWindow256PerSecond", relayOnly);
          scenario(pairs, 1024, 1, quick ? 500 : 2000, "c1.s1024.w1");
          double e2e = scenario(pairs, 1024, 256, messages, "c1.s1024.w256");
          scenario(pairs, 16384, 1, quick ? 300 : 1000, "c1.s16384.w1");
          scenario(pairs, 16384, 256, messages / 2, "c1.s16384.w256");
          results.put("ratio.endToEndToRelayOnly", e2e / relayOnly);
          results.put("ratio.endToEndToDiskSync", e2e / disk);
          for (int i = 1; i < 100; i++) {
            pairs.add(pair(alice, bob, i));
          }
          scenario(pairs, 1024, 1, quick ? 500 : 2000, "c100.s1024.w1");
          scenario(pairs, 1024, 256, messages, "c100.s1024.w256");
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

  /** Alice invites, Bob accepts; one message each way so both sides are established. */
  private static Conversation[] pair(Peer alice, Peer bob, int i) throws Exception {
    PendingInvitation inv = alice.invite("bob" + i, Duration.ofHours(1));
    Conversation toAlice = bob.accept(inv.invitation(), "alice" + i);
    toAlice.send("hi").get(60, TimeUnit.SECONDS);
    Conversation toBob = inv.accepted().get(60, TimeUnit.SECONDS);
    toBob.receive(Duration.ofSeconds(60)).orElseThrow();
    toBob.send("hello").get(60, TimeUnit.SECONDS);
    toAlice.receive(Duration.ofSeconds(60)).orElseThrow();
    return new Conversation[] {toBob, toAlice};
  }

  /**
   * Runs every scenario's path and the relay-only baseline, small, until the JIT compiler has
   * settled (its threads busy less than a tenth of a round) or {@link #maxWarmupRounds}
   * rounds have run: on two cores the compiler threads otherwise take most of a core through the
   * first measured scenarios, and one message at a time then measures the compiler, not the peers.
   */
  private void warmUp(RelayServer relay, List<Conversation[]> pairs) throws Exception {
    int rounds = 0;
    double share;
    do {
      CpuByThread cpu = new CpuByThread();
      long start = System.nanoTime();
      RelayOnlyBaseline.messagesPerSecond(relay.address(), messages / 4, 1024, 256);
      scenario(pairs, 1024, 256, messages / 2, "warmup");
      scenario(pairs, 1024, 1, 200, "warmup");
      scenario(pairs, 16384, 256, 200, "warmup");
      scenario(pairs, 16384, 1, 50, "warmup");
      long roundNanos = System.nanoTime() - start;
      share = cpu.jitShare(roundNanos);
      rounds++;
      System.out.printf(Locale.ROOT, "warm-up round %d: %,d ms, the compiler busy %.0f %% of it%n", rounds,
          roundNanos / 1_000_000, 100 * share);
    } while (share >= CpuByThread.SETTLED_JIT_SHARE && rounds < maxWarmupRounds);
    results.put("warmupRounds", rounds);
    results.put("warmupLastRoundJitShare", share);
  }


  /** Alice sends {@code n} messages over the conversations; returns delivered messages per second. */
  private double scenario(List<Conversation[]> pairs, int size, int window, int n, String name) throws Exception {
    Recorder latency = new Recorder(3);
    CountDownLatch delivered = new CountDownLatch(n);
    CountDownLatch accepted = new CountDownLatch(n);
    Semaphore inFlight = new Semaphore(window);
    AtomicLong failed = new AtomicLong();
    for (Conversation[] p : pairs) {
      p[1].onMessage(m -> {
        long sent = ByteBuffer.wrap(m.payload()).getLong();
        latency.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
        inFlight.release();
        delivered.countDown();
      });
    }
    if (threadGroups) {
      System.out.printf(Locale.ROOT, "%-20s starts at %d ms since the epoch%n", name, System.currentTimeMillis());
    }
    PhaseRecording recording = PhaseRecording.start(name.equals("warmup") ? null : jfr, name);
    CpuByThread cpu = new CpuByThread();
    long allocBefore = allocatedBytes();
    long jitBefore = CpuByThread.compileMillis();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      byte[] body = new byte[size];
      ByteBuffer.wrap(body).putLong(System.nanoTime());
      pairs.get(i % pairs.size())[0].send(body).whenComplete((v, e) -> {
        if (e != null) {
          failed.incrementAndGet();
        }
        accepted.countDown();
      });
    }
    accepted.await(300, TimeUnit.SECONDS);
    double acceptedSeconds = (System.nanoTime() - start) / 1e9;
    if (!delivered.await(300, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + ": " + delivered.getCount() + " messages not delivered");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long alloc = allocatedBytes() - allocBefore;
    long jit = CpuByThread.compileMillis() - jitBefore;
    recording.close();
    for (Conversation[] p : pairs) {
      p[1].onMessage(m -> { });
    }
    if (name.equals("warmup")) {
      return 0;
    }
    var h = latency.getIntervalHistogram();
    double rate = n / seconds;
    results.put(name + ".endToEndPerSecond", rate);
    results.put(name + ".sendAcceptedPerSecond", n / acceptedSeconds);
    results.put(name + ".latencyMicrosP50", h.getValueAtPercentile(50));
    results.put(name + ".latencyMicrosP99", h.getValueAtPercentile(99));
    results.put(name + ".allocatedKiBPerMessage", alloc / 1024.0 / n);
    // CPU per message by who spent it: both peers' stages (sealing, opening, state commits),
    // their links, and the relay (event loops and store writer).
    results.put(name + ".cpuMicrosPerMessage", cpu.processNanos() / 1e3 / n);
    results.put(name + ".peerStagesCpuMicrosPerMessage", cpu.startingWith("backchannel-peer") / 1e3 / n);
    results.put(name + ".linksCpuMicrosPerMessage", cpu.startingWith("backchannel-link") / 1e3 / n);
    results.put(name + ".relayCpuMicrosPerMessage",
        cpu.startingWith("backchannel-relay", "backchannel-store") / 1e3 / n);
    results.put(name + ".jitCpuMicrosPerMessage", cpu.jitNanos() / 1e3 / n);
    results.put(name + ".gcCpuMicrosPerMessage", cpu.gcNanos() / 1e3 / n);
    results.put(name + ".failedSends", failed.get());
    results.put(name + ".jitMillis", jit);
    if (threadGroups) {
      cpu.printGroups(name, n, 12);
    }
    return rate;
  }

  /** Bytes allocated so far by the threads alive now (the JVM's own per-thread counters). */
  private static long allocatedBytes() {
    ThreadMXBean t = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long a : t.getThreadAllocatedBytes(t.getAllThreadIds())) {
      sum += Math.max(0, a);
    }
    return sum;
  }

  private void print() throws java.io.IOException {
    StringBuilder j = new StringBuilder("{\n");
    int i = 0;
    for (Map.Entry<String, Object> e : results.entrySet()) {
      Object v = e.getValue();
      String value = v instanceof Number x ? String.format(Locale.ROOT, "%.3f", x.doubleValue()) : "\"" + v + "\"";
      j.append("  \"").append(e.getKey()).append("\": ").append(value).append(++i < results.size() ? ",\n" : "\n");
      System.out.printf(Locale.ROOT, "%-45s %s%n", e.getKey(),
          v instanceof Number x ? String.format(Locale.ROOT, "%,.1f", x.doubleValue()) : v);
    }
    Files.writeString(json, j.append("}\n"));
    for (java.nio.file.Path png : dev.backchannel.benchmarks.charts.ResultCharts.draw(json, json.toAbsolutePath().getParent())) {
      System.out.println("chart: " + png);
    }
  }
}
