package dev.backchannel.netty.runtime;

import dev.backchannel.api.Peer;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Run by {@link WithoutMicrometerIntegrationTest} in a JVM whose class path lacks Micrometer:
 * a relay and two peers talk, and every class of channel-netty loads and resolves its members
 * except the two metrics binders. Prints one line per finding and {@code ok} at the end.
 */
public final class WithoutMicrometerMain {
  private WithoutMicrometerMain() {}

  public static void main(String[] args) throws Exception {
    try {
      Class.forName("io.micrometer.core.instrument.MeterRegistry");
      System.out.println("micrometer is on the class path");
      System.exit(3);
    } catch (ClassNotFoundException expected) {
      System.out.println("no micrometer");
    }
    Path dir = Path.of(args[0]);
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
         Peer alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(relay.address()).build();
         Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(relay.address()).build()) {
      PeerTestSupport.introduce(alice, bob);
      // Both messages of the introduction went through the relay (and handshake envelopes with them).
      System.out.println(relay.counters().stored() >= 2 ? "relay counted" : "relay counted nothing");
      try {
        Peer.builder().meterRegistry(new Object());
        System.out.println("a plain object was taken as a registry");
      } catch (IllegalArgumentException e) {
        System.out.println("refused: " + e.getMessage());
      }
    }
    System.out.println("unresolvable " + unresolvable());
    System.out.println("ok");
  }

  /** The classes of channel-netty whose members name a type that cannot be loaded here. */
  private static List<String> unresolvable() throws Exception {
    Path classes = Path.of(RelayServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> failed = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
        String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.endsWith("module-info") || name.endsWith("package-info")) {
          continue;
        }
        try {
          Class<?> c = Class.forName(name, false, WithoutMicrometerMain.class.getClassLoader());
          c.getDeclaredMethods();
          c.getDeclaredFields();
          c.getDeclaredConstructors();
        } catch (LinkageError e) {
          failed.add(name.substring(name.lastIndexOf('.') + 1));
        }
      }
    }
    failed.sort(null);
    return failed;
  }
}
