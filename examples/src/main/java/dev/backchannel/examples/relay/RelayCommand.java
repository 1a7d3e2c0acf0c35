package dev.backchannel.examples.relay;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.StateLockedException;
import dev.backchannel.examples.cli.CliErrors;
import dev.backchannel.examples.cli.ExitCodes;
import dev.backchannel.examples.cli.PrivateFiles;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code relay --data DIR [--host H] [--port P]}: runs a relay node until SIGINT or SIGTERM.
 * Prints {@code relay address: bcr://…@H:P} on its own line once it accepts connections; logs go
 * to stderr, each line with date, time and zone.
 *
 * <p>The data directory is locked for the life of the process and, when created here, readable
 * by its owner only (as are the key and store files). Exit codes: 2 bad option value, 3 cannot
 * listen, 7 data directory in use by another relay, 1 other failures (see {@link ExitCodes}).
 */
@Command(name = "relay", mixinStandardHelpOptions = true,
    description = "Run a relay node (TLS 1.3, durable store) until interrupted.")
public final class RelayCommand implements Callable<Integer> {
  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "Data directory (key, certificate, store); created if missing, owner-only.")
  Path data;

  @Option(names = "--host", defaultValue = RelayConfig.DEFAULT_HOST, description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "" + RelayConfig.DEFAULT_PORT, description = "Port; 0 takes a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Spec CommandSpec spec;

  /** {@code --metrics HOST:PORT}: Prometheus text at /metrics (see {@link MetricsOption}). */
  @picocli.CommandLine.Mixin MetricsOption metricsOption;

  @Override
  public Integer call() throws Exception {
    boolean verbose = CliErrors.verbose(spec);
    if (verbose
        && org.slf4j.LoggerFactory.getLogger("dev.backchannel") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.DEBUG);
    }
    PrintWriter err = spec.commandLine().getErr();
    RelayConfig config;
    try {
      config = RelayConfig.builder(data).host(host).port(port).build();
    } catch (IllegalArgumentException e) {
      return fail(err, e.getMessage(), ExitCodes.BAD_INPUT, e, verbose);
    }
    // --metrics: checked before anything starts; served once the relay runs.
    MetricsAddress metricsAddress;
    try {
      metricsAddress = metricsOption.address();
    } catch (IllegalArgumentException e) {
      return fail(err, e.getMessage(), ExitCodes.BAD_INPUT, e, verbose);
    }
    DataDirectoryLock lock;
    RelayServer relay;
    try {
      lock = DataDirectoryLock.acquire(data);
      // The store's directory made owner-only here, before the store creates it with defaults.
      PrivateFiles.createDirectories(data.resolve("store"));
    } catch (StateLockedException e) {
      return fail(err, e.getMessage(), ExitCodes.RELAY_DATA_IN_USE, e, verbose);
    } catch (IOException e) {
      return fail(err, "cannot use the data directory " + data + ": " + e.getMessage(),
          ExitCodes.FAILURE, e, verbose);
    }
    try {
      relay = RelayServer.start(config);
      PrivateFiles.restrictFiles(data.resolve("store"));
    } catch (RelayUnavailableException e) {
      lock.close();
      return fail(err, e.getMessage() + " (is another relay using the port?)", ExitCodes.RELAY, e, verbose);
    } catch (BackchannelException e) {
      lock.close();
      if (e instanceof StateLockedException || storeLockedElsewhere(e)) {
        return fail(err, "the relay data directory " + data + " is in use by another relay",
            ExitCodes.RELAY_DATA_IN_USE, e, verbose);
      }
      return fail(err, e.getMessage(), ExitCodes.FAILURE, e, verbose);
    }
    MetricsEndpoint metrics = null;
    if (metricsAddress != null) {
      try {
        metrics = MetricsEndpoint.start(metricsAddress, relay);
      } catch (IllegalArgumentException | IOException e) {
        relay.close();
        lock.close();
        boolean bad = e instanceof IllegalArgumentException;
        return fail(err, bad ? e.getMessage() : "cannot serve metrics on " + metricsAddress + ": " + e.getMessage()
            + " (is another process using the port?)", bad ? ExitCodes.BAD_INPUT : ExitCodes.RELAY, e, verbose);
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(relay::close, "relay-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    out.println("relay address: " + relay.address());
    if (metrics != null) {
      out.println("metrics: " + metrics.url());
    }
    out.flush();
    relay.awaitTermination(Duration.ofDays(36500));
    if (metrics != null) {
      metrics.close();
    }
    lock.close();
    return ExitCodes.OK;
  }

  /**
   * Whether the store failed to open because RocksDB's {@code LOCK} is held: by a relay started
   * on this directory some other way than this command (an embedded {@code RelayServer}).
   */
  static boolean storeLockedElsewhere(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("lock file") || m.contains("lock hold by current process")) {
        return true;
      }
    }
    return false;
  }

  private static int fail(PrintWriter err, String message, int code, Exception e, boolean verbose) {
    err.println("error: " + message);
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }
}
