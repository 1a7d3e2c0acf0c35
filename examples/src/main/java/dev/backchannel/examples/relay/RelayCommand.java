package dev.backchannel.examples.relay;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code relay --data DIR [--host H] [--port P]}: runs a relay node until SIGINT or SIGTERM.
 * Prints {@code relay address: bcr://…@H:P} on its own line once it accepts connections.
 */
@Command(name = "relay", mixinStandardHelpOptions = true,
    description = "Run a relay node (TLS 1.3, durable store) until interrupted.")
public final class RelayCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, description = "Data directory (key, certificate, store); created if missing.")
  Path data;

  @Option(names = "--host", defaultValue = RelayConfig.DEFAULT_HOST, description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "" + RelayConfig.DEFAULT_PORT, description = "Port; 0 takes a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    RelayServer relay;
    try {
      relay = RelayServer.start(RelayConfig.builder(data).host(host).port(port).build());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    } catch (RelayUnavailableException e) {
      System.err.println("error: " + e.getMessage() + " (is another relay using the port?)");
      return 3;
    } catch (BackchannelException e) {
      System.err.println("error: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(relay::close, "relay-shutdown"));
    System.out.println("relay address: " + relay.address());
    System.out.flush();
    relay.awaitTermination(Duration.ofDays(36500));
    return 0;
  }
}
