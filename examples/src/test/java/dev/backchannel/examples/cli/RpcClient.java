package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A JSON-RPC client of the daemon as a script would write one: one line per request, a thread
 * that reads every line the daemon writes (each must parse as one JSON object), responses matched
 * by id, notifications kept in arrival order.
 */
final class RpcClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Writes one line. */
  interface Writer {
    void write(byte[] line) throws IOException;
  }

  private final Writer writer;
  private final AutoCloseable resource;
  private final LinkedBlockingQueue<JsonNode> responses = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<JsonNode> notifications = new LinkedBlockingQueue<>();
  private final List<JsonNode> seenNotifications = new ArrayList<>();
  private int nextId = 1;

  private RpcClient(InputStream in, Writer writer, AutoCloseable resource) {
    this.writer = writer;
    this.resource = resource;
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          JsonNode n = JSON.readTree(line);
          (n.has("method") && !n.has("id") ? notifications : responses).add(n);
        }
      } catch (IOException e) {
        // closed
      }
    }, "rpc-client-reader");
    t.setDaemon(true);
    t.start();
  }

  /** A client of a daemon on the process's standard input and output. */
  static RpcClient of(Process daemon) {
    OutputStream out = daemon.getOutputStream();
    return new RpcClient(daemon.getInputStream(), line -> {
      out.write(line);
      out.flush();
    }, out);
  }

  /** A client of a daemon on a Unix domain socket. */
  static RpcClient connect(Path socket) throws IOException {
    SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    InputStream in = new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return ch.read(ByteBuffer.wrap(b, off, len));
      }
    };
    return new RpcClient(in, line -> {
      ByteBuffer b = ByteBuffer.wrap(line);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }, ch);
  }

  /** Sends {@code line} and a line feed as they are. */
  void sendRaw(String line) throws IOException {
    writer.write((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  /** The next response (with an id), waiting up to 60 s. */
  JsonNode response() throws InterruptedException {
    JsonNode r = responses.poll(60, TimeUnit.SECONDS);
    assertThat(r).as("a response within 60 s").isNotNull();
    assertThat(r.get("jsonrpc").asText()).isEqualTo("2.0");
    return r;
  }

  /** Calls {@code method} and returns the whole response. */
  JsonNode request(String method, ObjectNode params) throws Exception {
    ObjectNode req = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", nextId++).put("method", method);
    if (params != null) {
      req.set("params", params);
    }
    sendRaw(JSON.writeValueAsString(req));
    JsonNode r = response();
    assertThat(r.get("id").asInt()).isEqualTo(req.get("id").asInt());
    return r;
  }

  /** Calls {@code method} and returns its result, failing on an error. */
  JsonNode call(String method, ObjectNode params) throws Exception {
    JsonNode r = request(method, params);
    assertThat(r.has("error")).as(method + ": " + r).isFalse();
    return r.get("result");
  }

  /** The first notification (now or within {@code wait}) that {@code test} accepts. */
  JsonNode awaitNotification(Predicate<JsonNode> test, Duration wait) throws InterruptedException {
    for (JsonNode n : seenNotifications) {
      if (test.test(n)) {
        return n;
      }
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode n = notifications.poll(100, TimeUnit.MILLISECONDS);
      if (n != null) {
        assertThat(n.get("jsonrpc").asText()).isEqualTo("2.0");
        seenNotifications.add(n);
        if (test.test(n)) {
          return n;
        }
      }
    }
    throw new AssertionError("no such notification within " + wait + "; saw " + seenNotifications);
  }

  static ObjectNode params() {
    return JSON.createObjectNode();
  }

  @Override
  public void close() throws Exception {
    resource.close();
  }
}
