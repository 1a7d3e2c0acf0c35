package dev.backchannel.benchmarks.relay;

import dev.backchannel.benchmarks.profile.CpuByThread;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.benchmarks.profile.PhaseRecording;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.client.LinkLoops;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayLimits;
import dev.backchannel.netty.relay.RelayMetrics;
import dev.backchannel.netty.relay.RelayServer;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Load on a real relay (TLS on loopback, durable RocksDB store with fsync) beside its baseline, a
 * plain Netty TLS forwarder with the same framing and no store, measured in the same run.
 *
 * <p>Usage: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.backchannel.benchmarks.relay.RelayLoadGenerator [--pairs=N] [--messages=M] [--size=B]
 * [--window=W] [--idle=I] [--rounds=R] [--warmup=ROUNDS] [--rates=R1,R2] [--locked] [--json=FILE] [--jfr=DIR]
 * [--threads] [--quick]} ({@code --threads}: each phase's CPU per message by thread group, printed)
 * ({@code --jfr}: a flight recording of each measured phase, {@code DIR/NAME.jfr}). Baseline and relay
 * alternate for R rounds (3; 1 with --quick) at maximum and the medians are reported. Every phase is bounded in
 * count and time;
 * everything runs on 127.0.0.1.
 */
public final class RelayLoadGenerator {
  private final int pairs;
  private final int messages;
  private final int size;
  private final int window;
  private final int idle;
  private final Path json;
  private final Path jfr;
  /** Alternating baseline and relay rounds at maximum; the medians are reported. */
  private final int rounds;
  /** Warm-up rounds at most (15; 10 with --quick). */
  private final int maxWarmups;
  /** Whether mailboxes are locked to their sender's key, as the Peer runtime's are. */
  private final boolean locked;
  /** Whether to print each phase's CPU per message by thread group ({@code --threads}). */
  private final boolean threadGroups;
  /** Extra open-loop rates to measure (messages/s, all pairs together), beside half of the maximum. */
  private final List<Double> rates = new ArrayList<>();
  private final Map<String, Object> results = new LinkedHashMap<>();
  /** The relay's meters, for its store's group commits per phase. */
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private RelayLoadGenerator(Map<String, String> a) {
    boolean quick = a.containsKey("quick");
    pairs = Integer.parseInt(a.getOrDefault("pairs", quick ? "16" : "50"));
    messages = Integer.parseInt(a.getOrDefault("messages", quick ? "1000" : "2000"));
    size = Integer.parseInt(a.getOrDefault("size", "1024"));
    window = Integer.parseInt(a.getOrDefault("window", "32"));
    idle = Integer.parseInt(a.getOrDefault("idle", quick ? "1000" : "5000"));
    json = Path.of(a.getOrDefault("json", "relay-load.json"));
    jfr = a.containsKey("jfr") ? Path.of(a.get("jfr")) : null;
    rounds = Integer.parseInt(a.getOrDefault("rounds", quick ? "1" : "3"));
    maxWarmups = Integer.parseInt(a.getOrDefault("warmup", quick ? "10" : "15"));
    locked = a.containsKey("locked");
    threadGroups = a.containsKey("threads");
    for (String r : a.getOrDefault("rates", "").split(",")) {
      if (!r.isBlank()) {
        rates.add(Double.parseDouble(r.strip()));
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : args) {
      String s = arg.startsWith("--") ? arg.substring(2) : arg;
      int eq = s.indexOf('=');
      a.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "true" : s.substring(eq + 1));
    }
    new RelayLoadGenerator(a).run();
    System.exit(0);
  }

  /** Ids need only be unique; one shared generator (a new SecureRandom per call costs more). */
  private static byte[] random(int n) {
    byte[] b = new byte[n];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private byte[] body() {
    byte[] b = new byte[size];
    ByteBuffer.wrap(b).putLong(System.nanoTime());
    return b;
  }

  private void run() throws Exception {
    results.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    results.put("cores", Runtime.getRuntime().availableProcessors());
    results.put("pairs", pairs);
    results.put("messagesPerSender", messages);
    results.put("size", size);
    results.put("window", window);
    results.put("rounds", rounds);
    results.put("lockedMailboxes", locked ? 1 : 0);
    Path dir = Files.createTempDirectory("relay-load");
    try {
      try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir).port(0)
          // every client of the run comes from 127.0.0.1, and each sender alone goes far beyond
          // the default request rate of one client: the run measures the relay, not its policy
          .limits(RelayLimits.defaults().withBudgets(100_000, 1_000_000, 1_000_000))
          .maxRequestsPerSecond(1_000_000).build());
          RelayMetrics metrics = RelayMetrics.bind(meters, relay)) {
        // JIT and TLS warm-up of both paths, not reported: the forwarder keeps getting faster
        // over its first runs, and a cold baseline would flatter the ratio. At least three
        // rounds, then until the compiler threads are busy less than a tenth of a round: on two
        // cores they otherwise take much of a core through the first measured phases.
        int warmups = 0;
        double jitShare;
        do {
          CpuByThread cpu = new CpuByThread();
          long start = System.nanoTime();
          baseline("warmup.baseline");
          relay(relay.address(), "warmup.relay", 0);
          jitShare = cpu.jitShare(System.nanoTime() - start);
          warmups++;
          System.out.printf(java.util.Locale.ROOT, "warm-up round %d: the compiler busy %.0f %% of it%n",
              warmups, 100 * jitShare);
        } while (warmups < 3 || (jitShare >= CpuByThread.SETTLED_JIT_SHARE && warmups < maxWarmups));
        results.put("warmupRounds", warmups);
        results.put("warmupLastRoundJitShare", jitShare);
        // Baseline and relay alternate, round after round, so that noise from other work on the
        // machine falls on both; the medians and their ratio are the result.
        double[] baselines = new double[rounds];
        double[] maxima = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          baselines[r] = baseline("baseline.tlsForwarder.round" + (r + 1));
          maxima[r] = relay(relay.address(), "relay.max.round" + (r + 1), 0);
          results.put("ratio.relayMaxToBaseline.round" + (r + 1), maxima[r] / baselines[r]);
        }
        double baseline = median(baselines);
        double max = median(maxima);
        results.put("baseline.tlsForwarder.messagesPerSecond.median", baseline);
        results.put("relay.max.messagesPerSecond.median", max);
        results.put("ratio.relayMaxToBaseline", max / baseline);
        relay(relay.address(), "relay.halfRate", max / 2);
        for (double r : rates) {
          relay(relay.address(), "relay.rate" + (long) r, r);
        }
        idleConnections(relay);
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

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** The TLS forwarder: same pairs, messages, size and window; no store. */
  private double baseline(String name) throws Exception {
    try (TlsForwarderBaseline fwd = new TlsForwarderBaseline()) {
      Recorder latency = new Recorder(3);
      CountDownLatch done = new CountDownLatch(pairs * messages);
      List<Channel> senders = new ArrayList<>();
      List<Semaphore> windows = new ArrayList<>();
      for (int p = 0; p < pairs; p++) {
        Semaphore w = new Semaphore(window);
        windows.add(w);
        Channel rx = fwd.connect(frame -> {
          long sent = frame.getLong(frame.readerIndex() + 4);
          latency.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
          w.release();
          done.countDown();
        });
        rx.writeAndFlush(Unpooled.buffer(4).writeInt(p)).sync();
        senders.add(fwd.connect(frame -> { }));
      }
      Thread.sleep(200);
      PhaseRecording recording = PhaseRecording.start(name.startsWith("warmup") ? null : jfr, name);
      CpuByThread cpu = new CpuByThread();
      long start = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        for (int p = 0; p < pairs; p++) {
          windows.get(p).acquire();
          ByteBuf f = Unpooled.buffer(4 + size).writeInt(p).writeBytes(body());
          senders.get(p).writeAndFlush(f);
        }
      }
      if (!done.await(300, TimeUnit.SECONDS)) {
        throw new IllegalStateException("baseline did not finish");
      }
      double rate = record(name, start, latency.getIntervalHistogram(), cpu);
      recording.close();
      return rate;
    }
  }

  /** Senders and receivers through the relay; {@code rate} 0 = closed loop at maximum. */
  private double relay(RelayAddress address, String name, double rate) throws Exception {
    ExecutorService callbacks = Executors.newFixedThreadPool(2, new DefaultThreadFactory("load-callbacks"));
    // All links of a round share one group sized as the forwarder's (2 × cores), as a process
    // holding many links would; a thread per link would measure context switches.
    LinkLoops clientLoops = LinkLoops.create(2 * Runtime.getRuntime().availableProcessors());
    List<RelayLink> links = new ArrayList<>();
    try {
      Recorder latency = new Recorder(3);
      CountDownLatch done = new CountDownLatch(pairs * messages);
      List<byte[]> mailboxes = new ArrayList<>();
      List<RelayLink> senders = new ArrayList<>();
      for (int p = 0; p < pairs; p++) {
        // Receivers take deliveries on their I/O thread, as the Peer runtime's links and the
        // forwarder's receivers do: the listener only records, acknowledges and counts.
        RelayLink rx = RelayLink.builder(address).callbackExecutor(callbacks)
            .deliveryExecutor(Runnable::run).loops(clientLoops).build();
        RelayLink tx = RelayLink.builder(address).callbackExecutor(callbacks)
            .loops(clientLoops).build();
        links.add(rx);
        links.add(tx);
        rx.awaitConnected(Duration.ofSeconds(30));
        tx.awaitConnected(Duration.ofSeconds(30));
        byte[] mailbox = random(32);
        try (SecretBytes owner = Ed25519.generatePrivateKey()) {
          rx.createMailbox(mailbox, owner).get(30, TimeUnit.SECONDS);
          if (locked) {
            // As the Peer runtime does: the mailbox takes sends from one sender key only.
            try (SecretBytes sender = Ed25519.generatePrivateKey()) {
              rx.lock(mailbox, owner, Ed25519.publicKey(sender)).get(30, TimeUnit.SECONDS);
              tx.useSenderKey(mailbox, sender);
            }
          }
          rx.subscribe(mailbox, owner, d -> {
            long sent = ByteBuffer.wrap(d.body()).getLong();
            latency.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
            rx.acknowledge(d.mailboxId(), List.of(d.messageId())); // batched, as the Peer runtime acknowledges
            done.countDown();
          }).get(30, TimeUnit.SECONDS);
        }
        mailboxes.add(mailbox);
        senders.add(tx);
      }
      List<Semaphore> windows = new ArrayList<>();
      for (int p = 0; p < pairs; p++) {
        windows.add(new Semaphore(window));
      }
      long intervalNanos = rate > 0 ? (long) (1e9 / rate) : 0;
      PhaseRecording recording = PhaseRecording.start(name.startsWith("warmup") ? null : jfr, name);
      long commitsBefore = meters.get(RelayMetrics.PREFIX + "store.commit").timer().count();
      double commitMicrosBefore = meters.get(RelayMetrics.PREFIX + "store.commit").timer().totalTime(TimeUnit.MICROSECONDS);
      double operationsBefore = meters.get(RelayMetrics.PREFIX + "store.batch").summary().totalAmount();
      CpuByThread cpu = new CpuByThread();
      long start = System.nanoTime();
      long next = start;
      for (int i = 0; i < messages; i++) {
        for (int p = 0; p < pairs; p++) {
          if (intervalNanos > 0) {
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
          }
          Semaphore w = windows.get(p);
          w.acquire();
          senders.get(p).send(mailboxes.get(p), random(16), body()).whenComplete((v, e) -> w.release());
        }
      }
      if (!done.await(600, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " did not finish: " + done.getCount() + " missing");
      }
      double measured = record(name, start, latency.getIntervalHistogram(), cpu);
      if (!name.startsWith("warmup")) {
        // Group commits of the relay's store in the phase: appends and removals share them.
        double n = pairs * (double) messages;
        Timer commit = meters.get(RelayMetrics.PREFIX + "store.commit").timer();
        DistributionSummary batch = meters.get(RelayMetrics.PREFIX + "store.batch").summary();
        long commits = commit.count() - commitsBefore;
        results.put(name + ".storeCommitsPerMessage", commits / n);
        results.put(name + ".storeOperationsPerCommit", (batch.totalAmount() - operationsBefore) / Math.max(1, commits));
        // From the start of a batch's write to the end of the sync that made it durable.
        results.put(name + ".storeCommitMicrosMean",
            (commit.totalTime(TimeUnit.MICROSECONDS) - commitMicrosBefore) / Math.max(1, commits));
      }
      recording.close();
      return measured;
    } finally {
      for (RelayLink l : links) {
        l.close();
      }
      callbacks.shutdownNow();
      clientLoops.close();
    }
  }

  /** Holds {@code idle} TLS connections on the relay and reports the heap they cost. */
  private void idleConnections(RelayServer relay) throws Exception {
    if (idle <= 0) {
      return;
    }
    Runtime rt = Runtime.getRuntime();
    System.gc();
    Thread.sleep(200);
    long before = rt.totalMemory() - rt.freeMemory();
    try (IdleClients clients = new IdleClients(relay.address().port(), idle)) {
      System.gc();
      Thread.sleep(500);
      long after = rt.totalMemory() - rt.freeMemory();
      results.put("idle.connections", clients.connected());
      results.put("idle.relayConnectionsCounted", relay.counters().connections());
      results.put("idle.heapGrowthMiB", (after - before) / (1024.0 * 1024.0));
      results.put("idle.heapPerConnectionKiB", (after - before) / 1024.0 / Math.max(1, clients.connected()));
      results.put("idle.connectMillisP99", clients.connectP99Millis());
    }
  }

  private double record(String name, long startNanos, Histogram h, CpuByThread cpu) {
    if (name.startsWith("warmup.")) {
      return 0;
    }
    // CPU per message, by who spent it: robust where the machine's speed drifts between runs.
    double n = pairs * (double) messages;
    results.put(name + ".cpuMicrosPerMessage", cpu.processNanos() / 1e3 / n);
    if (threadGroups) {
      cpu.printGroups(name, n, 12);
    }
    results.put(name + ".jitCpuMicrosPerMessage", cpu.jitNanos() / 1e3 / n);
    results.put(name + ".gcCpuMicrosPerMessage", cpu.gcNanos() / 1e3 / n);
    long relayNanos = cpu.startingWith("backchannel-relay", "backchannel-store");
    long linkNanos = cpu.startingWith("backchannel-link", "load-callbacks");
    if (name.startsWith("relay")) {
      results.put(name + ".relayCpuMicrosPerMessage", relayNanos / 1e3 / n);
      results.put(name + ".linksCpuMicrosPerMessage", linkNanos / 1e3 / n);
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = pairs * (double) messages / seconds;
    results.put(name + ".messagesPerSecond", rate);
    results.put(name + ".MBPerSecond", rate * size / 1e6);
    results.put(name + ".latencyMicrosP50", h.getValueAtPercentile(50));
    results.put(name + ".latencyMicrosP99", h.getValueAtPercentile(99));
    results.put(name + ".latencyMicrosP999", h.getValueAtPercentile(99.9));
    Runtime rt = Runtime.getRuntime();
    results.put(name + ".heapUsedMiB", (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0));
    return rate;
  }

  private void print() throws IOException {
    StringBuilder j = new StringBuilder("{\n");
    int i = 0;
    for (Map.Entry<String, Object> e : results.entrySet()) {
      Object v = e.getValue();
      String value = v instanceof Number n ? String.format(Locale.ROOT, "%.3f", n.doubleValue()) : "\"" + v + "\"";
      j.append("  \"").append(e.getKey()).append("\": ").append(value)
          .append(++i < results.size() ? ",\n" : "\n");
      System.out.printf(Locale.ROOT, "%-40s %s%n", e.getKey(),
          v instanceof Number n
              ? String.format(Locale.ROOT, Math.abs(n.doubleValue()) < 10 ? "%.3f" : "%,.1f", n.doubleValue())
              : v);
    }
    j.append("}\n");
    Files.writeString(json, j);
    System.out.println("written " + json.toAbsolutePath());
    for (java.nio.file.Path png : dev.backchannel.benchmarks.charts.ResultCharts.draw(json, json.toAbsolutePath().getParent())) {
      System.out.println("chart: " + png);
    }
  }
}
