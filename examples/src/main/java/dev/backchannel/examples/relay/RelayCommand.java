package dev.backchannel.examples.relay;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.StateLockedException;
import dev.backchannel.examples.cli.CliErrors;
import dev.backchannel.examples.cli.ExitCodes;
import dev.backchannel.examples.cli.PrivateFiles;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.redis.RedisMailboxStore;
import dev.backchannel.redis.RedisStoreConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code relay --data DIR [--host H] [--port P] [--key-file FILE] [--advertise LIST]}: runs a
 * relay node on its embedded store until SIGINT or SIGTERM; with {@code --store
 * redis://HOST:PORT[,…] --key-file FILE}, a node of a relay cluster on a shared Redis Cluster
 * ({@code --data} then optional). Prints {@code relay address: bcr://<key hash>@<endpoints>} on
 * its own line once it accepts connections, the endpoints being {@code --advertise} or else
 * {@code H:P}; logs go to stderr, each line with date, time and zone.
 *
 * <p>Every option, the limits included, may also come from {@code BACKCHANNEL_RELAY_<NAME>} or
 * the TOML file of {@code --config FILE} ({@link RelaySettings}: flag &gt; environment &gt; file &gt;
 * default); {@code relay init} writes that file.
 *
 * <p>The data directory is locked for the life of the process and, when created here, readable
 * by its owner only (as are the key and store files). A missing key file is created with a new
 * key, {@code rw-------}. Exit codes: 2 bad option value (also a wildcard {@code --host} without
 * {@code --advertise}), 3 cannot listen, 7 data directory in use by another relay, 1 other
 * failures, among them a Redis Cluster that cannot be reached (see {@link ExitCodes}).
 */
@Command(name = "relay", mixinStandardHelpOptions = true, subcommands = RelayInitCommand.class,
    description = "Run a relay node (TLS 1.3, durable store) until interrupted. Every option is also an"
        + " environment variable BACKCHANNEL_RELAY_<NAME> and a key of the --config file"
        + " (flag > environment > file > default); 'relay init' writes that file.")
public final class RelayCommand implements Callable<Integer> {
  /** The settings declared as fields here; every other {@link RelaySetting} is added by {@link #addSettingOptions}. */
  private static final Set<RelaySetting> DECLARED = EnumSet.of(RelaySetting.DATA, RelaySetting.STORE,
      RelaySetting.KEY_FILE, RelaySetting.ADVERTISE, RelaySetting.HOST, RelaySetting.PORT, RelaySetting.METRICS);

  @Option(names = "--config", paramLabel = "FILE",
      description = "Read options from this TOML file ('relay init --data DIR' writes one with every option).")
  Path config;

  @Option(names = "--data", paramLabel = "DIR",
      description = "Data directory (key, certificate, store); created if missing, owner-only. "
          + "Required unless --store is given.")
  Path data;

  @Option(names = "--store", paramLabel = "redis://HOST:PORT[,HOST:PORT...]",
      description = "Keep mailboxes in this Redis Cluster, shared with the other nodes of the relay "
          + "(needs --key-file). Without it: the embedded store in --data.")
  String store;

  @Option(names = "--key-file", paramLabel = "FILE",
      description = "The relay's key and certificate in one file, shared by every node of a cluster; "
          + "created with a new key (owner-only) when missing.")
  Path keyFile;

  @Option(names = "--advertise", paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "The endpoints the relay address lists, in the order clients try them "
          + "(default: --host and the port). Required with a wildcard --host.")
  String advertise;

  @Option(names = "--host", paramLabel = "HOST",
      description = "Address to listen on (default: " + RelayConfig.DEFAULT_HOST + ").")
  String host;

  @Option(names = "--port", paramLabel = "PORT",
      description = "Port; 0 takes a free one (default: " + RelayConfig.DEFAULT_PORT + ").")
  String port;

  @Spec CommandSpec spec;

  /** Declares {@code --metrics HOST:PORT} (see {@link MetricsOption}); read with the other settings. */
  @picocli.CommandLine.Mixin MetricsOption metricsOption;

  /** Adds a flag for every setting not declared as a field (the limits), to {@code relay}'s spec. */
  public static void addSettingOptions(CommandSpec relay) {
    for (RelaySetting s : RelaySetting.values()) {
      if (!DECLARED.contains(s)) {
        relay.addOption(OptionSpec.builder(s.flag()).paramLabel(s.kind.label).type(String.class)
            .description(s.description + (s.defaultText == null ? "" : " (default: " + s.defaultText + ")"))
            .build());
      }
    }
  }

  /** The settings given as flags. */
  private Map<RelaySetting, String> flags() {
    Map<RelaySetting, String> flags = new EnumMap<>(RelaySetting.class);
    for (RelaySetting s : RelaySetting.values()) {
      OptionSpec o = spec.findOption(s.flag());
      if (o != null && o.getValue() != null) {
        flags.put(s, o.getValue().toString());
      }
    }
    return flags;
  }

  @Override
  public Integer call() throws Exception {
    boolean verbose = CliErrors.verbose(spec);
    if (verbose
        && org.slf4j.LoggerFactory.getLogger("dev.backchannel") instanceof ch.qos.logback.classic.Logger l) {
      l.setLevel(ch.qos.logback.classic.Level.DEBUG);
    }
    PrintWriter err = spec.commandLine().getErr();
    RelaySettings settings;
    try {
      Map<RelaySetting, String> file = config == null ? Map.of() : RelayConfigFile.read(config);
      settings = RelaySettings.resolve(flags(), System.getenv(), file, String.valueOf(config));
    } catch (IOException e) {
      return fail(err, "cannot read the config file " + config + ": " + e.getMessage(), ExitCodes.BAD_INPUT, e, verbose);
    } catch (IllegalArgumentException e) {
      return fail(err, e.getMessage(), ExitCodes.BAD_INPUT, e, verbose);
    }
    Path data;
    String store;
    RelayConfig.Builder builder;
    RedisStoreConfig redis = null;
    try {
      data = settings.optionalPath(RelaySetting.DATA).orElse(null);
      store = settings.optionalText(RelaySetting.STORE).orElse(null);
      Path keyFile = settings.optionalPath(RelaySetting.KEY_FILE).orElse(null);
      if (data == null && store == null) {
        throw new ParameterException(spec.commandLine(), "Missing required option: '--data=DIR'");
      }
      if (store != null) {
        redis = StoreOption.parse(store);
        if (keyFile == null) {
          return fail(err, "--store needs --key-file FILE: every node of a relay cluster has the same key",
              ExitCodes.BAD_INPUT, null, verbose);
        }
      }
      String host = settings.optionalText(RelaySetting.HOST).orElse(RelayConfig.DEFAULT_HOST);
      if (settings.optionalText(RelaySetting.ADVERTISE).isEmpty() && WILDCARDS.contains(host)) {
        return fail(err, "--host " + host + " listens on every interface, so the relay cannot tell clients"
            + " where to reach it: give --advertise HOST:PORT[,HOST:PORT…]", ExitCodes.BAD_INPUT, null, verbose);
      }
      Path dir = data != null ? data : keyFile.toAbsolutePath().getParent(); // nothing is written there
      builder = settings.builder(dir);
    } catch (MalformedInputException | IllegalArgumentException | IllegalStateException e) {
      return fail(err, e.getMessage(), ExitCodes.BAD_INPUT, e, verbose);
    } catch (IOException e) {
      return fail(err, "cannot read the admission secret: " + e.getMessage(), ExitCodes.BAD_INPUT, e, verbose);
    }
    // --metrics: checked before anything starts; served once the relay runs.
    MetricsAddress metricsAddress;
    try {
      metricsAddress = settings.optionalText(RelaySetting.METRICS).map(MetricsAddress::parse).orElse(null);
    } catch (IllegalArgumentException e) {
      String source = settings.value(RelaySetting.METRICS).map(RelaySettings.Value::source).orElse("--metrics");
      String m = String.valueOf(e.getMessage());
      return fail(err, m.startsWith("--metrics") ? m : source + ": " + m, ExitCodes.BAD_INPUT, e, verbose);
    }
    DataDirectoryLock lock = null;
    RelayServer relay;
    try {
      if (data != null) {
        lock = DataDirectoryLock.acquire(data);
        if (store == null) {
          // The store's directory made owner-only here, before the store creates it with defaults.
          PrivateFiles.createDirectories(data.resolve("store"));
        }
      }
    } catch (StateLockedException e) {
      return fail(err, e.getMessage(), ExitCodes.RELAY_DATA_IN_USE, e, verbose);
    } catch (IOException e) {
      return fail(err, "cannot use the data directory " + data + ": " + e.getMessage(),
          ExitCodes.FAILURE, e, verbose);
    }
    RedisMailboxStore shared = null;
    try {
      if (redis != null) {
        try {
          shared = RedisMailboxStore.open(redis);
        } catch (BackchannelException e) {
          close(lock);
          return fail(err, "cannot use the Redis Cluster at " + store + ": " + e.getMessage(),
              ExitCodes.FAILURE, e, verbose);
        }
        builder.mailboxStore(shared);
      }
      relay = RelayServer.start(builder.build());
      if (store == null) {
        PrivateFiles.restrictFiles(data.resolve("store"));
      }
    } catch (RelayUnavailableException e) {
      close(lock);
      closeStore(shared);
      return fail(err, e.getMessage() + " (is another relay using the port?)", ExitCodes.RELAY, e, verbose);
    } catch (BackchannelException e) {
      close(lock);
      closeStore(shared);
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
        close(lock);
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
    close(lock);
    return ExitCodes.OK;
  }

  /** Hosts that listen on every interface: an address cannot name them. */
  private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "::0");

  private static void close(DataDirectoryLock lock) throws IOException {
    if (lock != null) {
      lock.close();
    }
  }

  private static void closeStore(RedisMailboxStore store) {
    if (store != null) {
      try {
        store.close();
      } catch (RuntimeException e) {
        // already failing: the first error is the one reported
      }
    }
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
    if (verbose && e != null) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }
}
