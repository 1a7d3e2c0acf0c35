package dev.backchannel.netty.relay;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the relay integration tests. */
public final class RelayTestSupport {
  private static final SecureRandom RANDOM = new SecureRandom();

  private RelayTestSupport() {}

  public static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * Starts {@link RelayProcessMain} in its own JVM on {@code dir} and {@code port} (0: any);
   * stores its address in {@code address[0]}. Kill it with {@code destroyForcibly()} (SIGKILL).
   */
  public static Process startRelayProcess(Path dir, int port, RelayAddress[] address)
      throws Exception {
    String javaBin = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process p = new ProcessBuilder(javaBin, "-Dorg.slf4j.simpleLogger.logFile=System.err", "-cp",
        System.getProperty("java.class.path"), RelayProcessMain.class.getName(), dir.toString(),
        Integer.toString(port))
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
    throw new AssertionError("relay process did not start");
  }

  public static RelayLink link(RelayAddress address) throws Exception {
    RelayLink link = RelayLink.builder(address)
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300))
        .requestTimeout(Duration.ofSeconds(20))
        .build();
    link.awaitConnected(Duration.ofSeconds(20));
    return link;
  }

  /** Relays and links a test opened, closed in reverse order of opening. */
  public static final class Opened implements AutoCloseable {
    private final java.util.Deque<AutoCloseable> all = new java.util.ArrayDeque<>();

    /** Starts a relay on an ephemeral loopback port. */
    public RelayServer relay(RelayConfig.Builder b) throws Exception {
      RelayServer r = RelayServer.start(b.port(0).build());
      all.push(r);
      return r;
    }

    /** A connected link to {@code relay}. */
    public RelayLink link(RelayServer relay) throws Exception {
      RelayLink l = RelayTestSupport.link(relay.address());
      all.push(l);
      return l;
    }

    /** Closes {@code c} with the rest. */
    public <T extends AutoCloseable> T add(T c) {
      all.push(c);
      return c;
    }

    @Override
    public void close() throws Exception {
      while (!all.isEmpty()) {
        all.pop().close();
      }
    }
  }

  /** A mailbox with its owner key and a queue of what was delivered to it. */
  public static final class Box {
    public final byte[] id = random(32);
    public final SecretBytes owner = Ed25519.generatePrivateKey();
    public final BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();

    public Box create(RelayLink link) throws Exception {
      link.createMailbox(id, owner).get(20, TimeUnit.SECONDS);
      return this;
    }

    public Box subscribe(RelayLink link) throws Exception {
      link.subscribe(id, owner, received::add).get(20, TimeUnit.SECONDS);
      return this;
    }

    public Delivery next() throws InterruptedException {
      Delivery d = received.poll(20, TimeUnit.SECONDS);
      if (d == null) {
        throw new AssertionError("nothing delivered within 20 s");
      }
      return d;
    }
  }
}
