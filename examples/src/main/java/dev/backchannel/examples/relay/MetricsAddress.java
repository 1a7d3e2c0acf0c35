package dev.backchannel.examples.relay;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where {@code relay --metrics HOST:PORT} serves its metrics: a host name or IP address (an IPv6
 * address in brackets, {@code [::1]:9464}) and a port of 0..65535 written with digits only (0
 * takes a free port). Immutable; made with {@link #parse}.
 *
 * @param host the host to bind, without brackets
 * @param port the port, 0 for any free one
 * @since 0.1
 */
public record MetricsAddress(String host, int port) {
  private static final Pattern FORM = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([^\\s:\\[\\]/]+)):([0-9]{1,5})");

  /**
   * Checks the host and the port.
   *
   * @throws IllegalArgumentException if the host is empty or the port outside 0..65535
   */
  public MetricsAddress {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("the metrics host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("the metrics port must be 0..65535, got " + port);
    }
  }

  /**
   * Parses {@code HOST:PORT}.
   *
   * @throws IllegalArgumentException with the value and the expected form if it does not fit
   */
  public static MetricsAddress parse(String value) {
    Matcher m = FORM.matcher(value == null ? "" : value);
    if (!m.matches()) {
      throw new IllegalArgumentException("--metrics must be HOST:PORT (for example 127.0.0.1:9464), got '"
          + value + "'");
    }
    int port = Integer.parseInt(m.group(3));
    if (port > 65535) {
      throw new IllegalArgumentException("--metrics port must be 0..65535, got " + port);
    }
    return new MetricsAddress(m.group(1) != null ? m.group(1) : m.group(2), port);
  }

  /** {@code HOST:PORT}, brackets around an IPv6 host. */
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
