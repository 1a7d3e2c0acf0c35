package dev.backchannel.netty.relay;

import java.nio.file.Path;

/** Runs a relay in its own JVM for crash tests: {@code RelayProcessMain <data dir> <port>}. */
public final class RelayProcessMain {
  private RelayProcessMain() {}

  public static void main(String[] args) throws Exception {
    RelayServer relay = RelayServer.start(
        RelayConfig.builder(Path.of(args[0])).port(Integer.parseInt(args[1])).build());
    System.out.println("relay address: " + relay.address());
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
