package dev.backchannel.examples.relay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.backchannel.netty.relay.RelayMetrics;
import dev.backchannel.netty.relay.RelayServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a relay's meters and the JVM's (memory, GC, threads, class loading, CPU, uptime) as
 * Prometheus text at {@code http://HOST:PORT/metrics}, with the JDK's own HTTP server bound to
 * exactly the address given. {@code GET} and {@code HEAD} of {@code /metrics} answer 200 with
 * {@link #CONTENT_TYPE}; any other path is 404, any other method on it 405. Read-only: it changes
 * nothing in the relay.
 *
 * <p>One thread (a daemon) answers the requests. {@link #close()} stops the server, removes the
 * meters and is idempotent.
 *
 * @since 0.1
 */
public final class MetricsEndpoint implements AutoCloseable {
  /** The Prometheus text exposition format, version 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final PrometheusMeterRegistry registry;
  private final RelayMetrics relayMetrics;
  private final JvmGcMetrics gc;

  private MetricsEndpoint(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry,
      RelayMetrics relayMetrics, JvmGcMetrics gc) {
    this.server = server;
    this.executor = executor;
    this.registry = registry;
    this.relayMetrics = relayMetrics;
    this.gc = gc;
  }

  /**
   * Binds {@code address} and starts serving the meters of {@code relay} and of this JVM.
   *
   * @throws IllegalArgumentException if the host cannot be resolved
   * @throws IOException if the address cannot be bound (the port is taken, the host is not local)
   */
  public static MetricsEndpoint start(MetricsAddress address, RelayServer relay) throws IOException {
    InetSocketAddress bind = new InetSocketAddress(address.host(), address.port());
    if (bind.isUnresolved()) {
      throw new IllegalArgumentException("cannot resolve the metrics host '" + address.host() + "'");
    }
    HttpServer server = HttpServer.create(bind, 16);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    RelayMetrics relayMetrics = RelayMetrics.bind(registry, relay);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "backchannel-relay-metrics");
      t.setDaemon(true);
      return t;
    });
    MetricsEndpoint endpoint = new MetricsEndpoint(server, executor, registry, relayMetrics, gc);
    server.createContext("/", endpoint::handle);
    server.setExecutor(executor);
    server.start();
    return endpoint;
  }

  /** The address the server is bound to (the real port when 0 was asked). */
  public InetSocketAddress boundAddress() {
    return server.getAddress();
  }

  /** {@code http://HOST:PORT/metrics} with the bound port. */
  public URI url() {
    InetSocketAddress a = server.getAddress();
    String host = a.getHostString();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/metrics");
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        respond(exchange, 404, "not found: metrics are at /metrics\n", false);
        return;
      }
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "method not allowed\n", false);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      respond(exchange, 200, registry.scrape(), method.equals("HEAD"));
    }
  }

  private static void respond(HttpExchange exchange, int status, String body, boolean head) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (status != 200) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    }
    if (head) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops serving and removes the meters. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    relayMetrics.close();
    gc.close();
    registry.close();
  }
}
