package dev.backchannel.benchmarks.charts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.data.category.CategoryDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultChartsTest {
  @TempDir Path dir;

  static final String PEER = """
      {"jvm": "test", "cores": 2.000,
       "baseline.diskSyncWrites1KiBPerSecond": 3900.0, "baseline.relayOnly1KiBWindow256PerSecond": 6300.0,
       "c1.s1024.w1.endToEndPerSecond": 144.0, "c1.s1024.w1.latencyMicrosP50": 3873.0, "c1.s1024.w1.latencyMicrosP99": 42399.0,
       "c1.s1024.w256.endToEndPerSecond": 2374.0, "c1.s1024.w256.latencyMicrosP50": 86463.0, "c1.s1024.w256.latencyMicrosP99": 362239.0}
      """;

  static final String RELAY = """
      {"jvm": "test", "ratio.relayMaxToBaseline": 0.128,
       "baseline.tlsForwarder.round1.messagesPerSecond": 137000.0, "relay.max.round1.messagesPerSecond": 17600.0,
       "baseline.tlsForwarder.round2.messagesPerSecond": 139000.0, "relay.max.round2.messagesPerSecond": 17000.0,
       "relay.max.round2.latencyMicrosP50": 23000.0, "relay.max.round2.latencyMicrosP99": 55000.0, "relay.max.round2.latencyMicrosP999": 77000.0,
       "baseline.tlsForwarder.round2.latencyMicrosP50": 2100.0, "baseline.tlsForwarder.round2.latencyMicrosP99": 4300.0, "baseline.tlsForwarder.round2.latencyMicrosP999": 5000.0,
       "relay.rate1000.messagesPerSecond": 1000.0, "relay.rate1000.latencyMicrosP50": 560.0, "relay.rate1000.latencyMicrosP99": 4700.0, "relay.rate1000.latencyMicrosP999": 9000.0}
      """;

  @Test
  void aPeerResultGivesThroughputAndLatencyChartsWithItsOwnNumbers() throws Exception {
    Path json = Files.writeString(dir.resolve("peer-load.json"), PEER);
    List<Path> pngs = ResultCharts.draw(json, dir.resolve("charts"));
    assertThat(pngs).extracting(p -> p.getFileName().toString())
        .containsExactly("peer-load-throughput.png", "peer-load-latency.png");
    for (Path p : pngs) {
      BufferedImage image = ImageIO.read(p.toFile());
      assertThat(image.getWidth()).isEqualTo(Charts.WIDTH);
      assertThat(image.getHeight()).isEqualTo(Charts.HEIGHT);
    }
    Map<String, Double> v = ResultCharts.flatten(new com.fasterxml.jackson.databind.ObjectMapper().readTree(PEER));
    CategoryDataset d = ResultCharts.peerThroughput(v).getCategoryPlot().getDataset();
    assertThat(d.getValue("1 contact, 1 KiB", "256 in flight").doubleValue()).isEqualTo(2374.0);
    assertThat(ResultCharts.peerThroughput(v).getCategoryPlot().getRangeMarkers(org.jfree.chart.ui.Layer.FOREGROUND))
        .hasSize(2);
    CategoryDataset lat = ResultCharts.peerLatency(v).getCategoryPlot().getDataset();
    assertThat(lat.getValue("p99", "1c 1 KiB w256").doubleValue()).isEqualTo(362.239);
  }

  @Test
  void aRelayResultGivesTheRelayAgainstItsForwarderAndLatencyByPhase() throws Exception {
    Path json = Files.writeString(dir.resolve("relay-load.json"), RELAY);
    assertThat(ResultCharts.draw(json, dir)).extracting(p -> p.getFileName().toString())
        .containsExactly("relay-load-relay-vs-forwarder.png", "relay-load-latency.png");
    Map<String, Double> v = ResultCharts.flatten(new com.fasterxml.jackson.databind.ObjectMapper().readTree(RELAY));
    CategoryDataset d = ResultCharts.relayAgainstForwarder(v).getCategoryPlot().getDataset();
    assertThat(d.getColumnKeys()).containsExactly("round 1", "round 2");
    assertThat(d.getValue("TLS forwarder (baseline)", "round 2").doubleValue()).isEqualTo(139000.0);
    CategoryDataset lat = ResultCharts.relayLatency(v).getCategoryPlot().getDataset();
    assertThat(lat.getColumnKeys()).containsExactly("relay, full rate", "relay, 1000/s", "forwarder, full rate");
    assertThat(lat.getValue("p99.9", "relay, 1000/s").doubleValue()).isEqualTo(9.0);
  }

  @Test
  void aFileOfAnotherKindIsRefused() throws Exception {
    Path json = Files.writeString(dir.resolve("other.json"), "{\"cores\": 2}");
    assertThatThrownBy(() -> ResultCharts.draw(json, dir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a peer or relay load result");
  }
}
