package dev.backchannel.redis;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.RelayAddress.Endpoint;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Helpers for tests with several relay nodes on one Redis Cluster: free ports, node processes. */
final class ClusterNodes {
  private ClusterNodes() {}

  /** A loopback port free now (a node is started on it later). */
  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** {@code 127.0.0.1:p} for each port, in order. */
  static List<Endpoint> loopback(int... ports) {
    List<Endpoint> out = new ArrayList<>();
    for (int p : ports) {
      out.add(new Endpoint("127.0.0.1", p));
    }
    return out;
  }

  /** A unique key prefix, so tests sharing the cluster never see each other's mailboxes. */
  static String prefix(String name) {
    return name + Long.toHexString(System.nanoTime() & 0xffffffL);
  }

  /**
   * Starts a node in its own JVM ({@link ClusterRelayProcessMain}) and waits for its address.
   *
   * @param address receives the address the node printed
   */
  static Process startNode(Path dataDir, Path keyFile, int port, List<Endpoint> advertised, String prefix,
      RelayAddress[] address) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    StringBuilder list = new StringBuilder();
    for (Endpoint e : advertised) {
      list.append(list.length() > 0 ? "," : "").append(e);
    }
    Process p = new ProcessBuilder(java, "-Dorg.slf4j.simpleLogger.logFile=System.err", "-cp",
        System.getProperty("java.class.path"), ClusterRelayProcessMain.class.getName(), dataDir.toString(),
        keyFile.toString(), Integer.toString(port), list.toString(), prefix,
        String.join(",", RedisClusterHarness.shared().seeds()))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String line;
    while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
      if (line.startsWith("relay address: ")) {
        address[0] = RelayAddress.parse(line.substring("relay address: ".length()));
        return p;
      }
    }
    p.destroyForcibly();
    throw new AssertionError("relay node process did not start");
  }
}
