package dev.backchannel.examples.relay;

import picocli.CommandLine.Option;

/**
 * The relay command's {@code --metrics HOST:PORT} option (a picocli mixin, so that the command
 * keeps one field for it). Off unless given.
 *
 * @since 0.1
 */
public final class MetricsOption {
  @Option(names = "--metrics", paramLabel = "HOST:PORT",
      description = "Serve Prometheus metrics at http://HOST:PORT/metrics (0 takes a free port; "
          + "the bound address is printed as 'metrics: URL'). Off by default.")
  String value;

  /**
   * The address to serve at, or null when the option is absent.
   *
   * @throws IllegalArgumentException if the value is not {@code HOST:PORT}
   */
  public MetricsAddress address() {
    return value == null ? null : MetricsAddress.parse(value);
  }
}
