package dev.backchannel.benchmarks.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfree.chart.JFreeChart;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Draws PNG charts from the flat JSON the load generators write: for a peer load file, end-to-end
 * throughput against messages in flight (beside the relay-only and disk-sync baselines measured in
 * the same run) and latency percentiles; for a relay load file, the relay against its TLS forwarder
 * baseline round by round, and latency percentiles of every phase. Files are named after the JSON
 * file ({@code peer-load.json} → {@code peer-load-throughput.png}, …).
 *
 * <p>{@code java -cp benchmarks.jar dev.backchannel.benchmarks.charts.ResultCharts FILE.json…
 * [--out DIR]}. A file of neither kind is refused with {@link IllegalArgumentException}.
 */
public final class ResultCharts {
  private static final Pattern PEER_KEY = Pattern.compile("c(\\d+)\\.s(\\d+)\\.w(\\d+)\\.endToEndPerSecond");
  private static final Pattern ROUND_KEY = Pattern.compile("relay\\.max\\.round(\\d+)\\.messagesPerSecond");

  private ResultCharts() {}

  public static void main(String[] args) throws IOException {
    Path out = null;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out") && i + 1 < args.length) {
        out = Path.of(args[++i]);
      } else {
        files.add(Path.of(args[i]));
      }
    }
    if (files.isEmpty()) {
      System.err.println("usage: ResultCharts FILE.json... [--out DIR]");
      System.exit(64);
    }
    for (Path f : files) {
      for (Path png : draw(f, out != null ? out : f.toAbsolutePath().getParent())) {
        System.out.println("chart: " + png);
      }
    }
  }

  /**
   * Draws the charts of {@code json} into {@code outDir} (created if missing).
   *
   * @return the files written
   * @throws IllegalArgumentException if the file is not a peer or relay load result
   * @throws IOException if it cannot be read or the charts written
   */
  public static List<Path> draw(Path json, Path outDir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Map<String, Double> v = flatten(new ObjectMapper().readTree(json.toFile()));
    String stem = json.getFileName().toString().replaceFirst("\\.json$", "");
    Files.createDirectories(outDir);
    List<Path> written = new ArrayList<>();
    if (v.containsKey("baseline.relayOnly1KiBWindow256PerSecond")) {
      written.add(Charts.save(peerThroughput(v), outDir.resolve(stem + "-throughput.png")));
      written.add(Charts.save(peerLatency(v), outDir.resolve(stem + "-latency.png")));
    } else if (v.containsKey("baseline.tlsForwarder.round1.messagesPerSecond")) {
      written.add(Charts.save(relayAgainstForwarder(v), outDir.resolve(stem + "-relay-vs-forwarder.png")));
      written.add(Charts.save(relayLatency(v), outDir.resolve(stem + "-latency.png")));
    } else {
      throw new IllegalArgumentException(json + " is not a peer or relay load result");
    }
    return written;
  }

  static Map<String, Double> flatten(JsonNode root) {
    Map<String, Double> v = new TreeMap<>();
    root.fields().forEachRemaining(e -> {
      if (e.getValue().isNumber()) {
        v.put(e.getKey(), e.getValue().asDouble());
      }
    });
    return v;
  }

  /** Configurations of a peer file: contacts, size and window, ordered. */
  record PeerRun(int contacts, int size, int window) implements Comparable<PeerRun> {
    String prefix() {
      return "c" + contacts + ".s" + size + ".w" + window + ".";
    }

    String series() {
      return contacts + (contacts == 1 ? " contact, " : " contacts, ") + Charts.bytes(size);
    }

    @Override
    public int compareTo(PeerRun o) {
      return Integer.compare(contacts * 1_000_000 + size * 10 + window, o.contacts * 1_000_000 + o.size * 10 + o.window);
    }
  }

  static List<PeerRun> peerRuns(Map<String, Double> v) {
    List<PeerRun> runs = new ArrayList<>();
    for (String k : v.keySet()) {
      Matcher m = PEER_KEY.matcher(k);
      if (m.matches()) {
        runs.add(new PeerRun(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
      }
    }
    runs.sort(null);
    return runs;
  }

  static JFreeChart peerThroughput(Map<String, Double> v) {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    for (PeerRun r : peerRuns(v)) {
      d.addValue(v.get(r.prefix() + "endToEndPerSecond"), r.series(), r.window() + " in flight");
    }
    JFreeChart c = Charts.bars("Peer to peer through a relay, end to end", "messages in flight", "messages/s", d);
    Charts.marker(c, v.get("baseline.relayOnly1KiBWindow256PerSecond"), "relay only, 1 KiB, 256 in flight");
    Charts.marker(c, v.get("baseline.diskSyncWrites1KiBPerSecond"), "disk: synced 1 KiB writes/s");
    return c;
  }

  static JFreeChart peerLatency(Map<String, Double> v) {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    for (PeerRun r : peerRuns(v)) {
      String column = r.contacts() + "c " + Charts.bytes(r.size()) + " w" + r.window();
      d.addValue(v.get(r.prefix() + "latencyMicrosP50") / 1000, "p50", column);
      d.addValue(v.get(r.prefix() + "latencyMicrosP99") / 1000, "p99", column);
    }
    return Charts.logBars("Peer send to receive latency", "contacts, size, messages in flight", "ms", d);
  }

  static JFreeChart relayAgainstForwarder(Map<String, Double> v) {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    for (int round : rounds(v)) {
      String column = "round " + round;
      d.addValue(v.get("relay.max.round" + round + ".messagesPerSecond"), "relay (TLS, RocksDB fsync)", column);
      d.addValue(v.get("baseline.tlsForwarder.round" + round + ".messagesPerSecond"), "TLS forwarder (baseline)", column);
    }
    Double ratio = v.get("ratio.relayMaxToBaseline");
    String title = "Relay at full rate against a plain TLS forwarder"
        + (ratio == null ? "" : String.format(" (median ratio %.3f)", ratio));
    return Charts.bars(title, "round", "messages/s", d);
  }

  static JFreeChart relayLatency(Map<String, Double> v) {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    List<Integer> rounds = rounds(v);
    int last = rounds.get(rounds.size() - 1);
    List<String[]> phases = new ArrayList<>();
    phases.add(new String[] {"relay.max.round" + last + ".", "relay, full rate"});
    phases.add(new String[] {"relay.halfRate.", "relay, half rate"});
    for (String k : v.keySet()) {
      Matcher m = Pattern.compile("relay\\.rate(\\d+)\\.messagesPerSecond").matcher(k);
      if (m.matches()) {
        phases.add(new String[] {"relay.rate" + m.group(1) + ".", "relay, " + m.group(1) + "/s"});
      }
    }
    phases.add(new String[] {"baseline.tlsForwarder.round" + last + ".", "forwarder, full rate"});
    for (String[] p : phases) {
      if (v.containsKey(p[0] + "latencyMicrosP50")) {
        d.addValue(v.get(p[0] + "latencyMicrosP50") / 1000, "p50", p[1]);
        d.addValue(v.get(p[0] + "latencyMicrosP99") / 1000, "p99", p[1]);
        d.addValue(v.get(p[0] + "latencyMicrosP999") / 1000, "p99.9", p[1]);
      }
    }
    return Charts.logBars("Relay latency by phase (last round at full rate)", "phase", "ms", d);
  }

  static List<Integer> rounds(Map<String, Double> v) {
    List<Integer> rounds = new ArrayList<>();
    for (String k : v.keySet()) {
      Matcher m = ROUND_KEY.matcher(k);
      if (m.matches()) {
        rounds.add(Integer.parseInt(m.group(1)));
      }
    }
    rounds.sort(null);
    return rounds;
  }
}
