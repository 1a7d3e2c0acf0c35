package dev.backchannel.examples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One JSON-RPC client of the daemon (standard input/output, or one socket connection): reads its
 * requests a line at a time ({@link BoundedLineReader}, so an oversized line costs no memory),
 * answers each in order through the {@link RpcDispatcher}, and takes the daemon's notifications.
 * Everything it writes passes through a bounded queue drained by its own writer thread, one line
 * per message; a client that stops reading for {@link #STALL_SECONDS} with the queue full is
 * dropped, so that it cannot hold up the others.
 */
final class RpcSession {
  /** How many lines may wait for a slow client. */
  static final int QUEUE_LINES = 1024;
  /** How long a full queue may stay full before the client is dropped. */
  static final long STALL_SECONDS = 10;

  /** Where the lines go. */
  interface LineSink {
    /** Writes {@code line} and a line feed, and flushes. */
    void write(String line) throws IOException;

    /** Closes the client's connection (unblocking its reader); idempotent. */
    void close();
  }

  private static final String END = new String("end of session");

  private final String name;
  private final BoundedLineReader in;
  private final LineSink out;
  private final RpcDispatcher dispatcher;
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
  private final Thread writer;
  private volatile boolean open = true;

  RpcSession(String name, InputStream in, LineSink out, RpcDispatcher dispatcher, int maxRequestBytes) {
    this.name = name;
    this.in = new BoundedLineReader(in, maxRequestBytes);
    this.out = out;
    this.dispatcher = dispatcher;
    this.writer = new Thread(this::drain, "daemon-writer-" + name);
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /** Answers requests until the client's end of input (or the connection fails), then flushes. */
  void serve() {
    try {
      BoundedLineReader.Line line;
      while (open && (line = in.next()) != null) {
        JsonNode response = dispatcher.handle(line);
        if (response != null) {
          send(response);
        }
      }
    } catch (IOException e) {
      // The client went away: nothing more to read or answer.
    } finally {
      finish();
    }
  }

  /** Queues {@code message} for the client; drops the client if it has stopped reading. */
  void send(JsonNode message) {
    if (!open) {
      return;
    }
    try {
      if (!queue.offer(JsonLines.write(message), STALL_SECONDS, TimeUnit.SECONDS)) {
        open = false;
        out.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isOpen() {
    return open;
  }

  /** Stops reading, lets the writer send what is queued (briefly), and closes the connection. */
  void finish() {
    boolean wasOpen = open;
    open = false;
    if (wasOpen) {
      try {
        queue.offer(END, STALL_SECONDS, TimeUnit.SECONDS);
        writer.join(TimeUnit.SECONDS.toMillis(STALL_SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    out.close();
  }

  private void drain() {
    try {
      while (true) {
        String line = queue.take();
        if (line == END) {
          return;
        }
        out.write(line);
      }
    } catch (IOException e) {
      open = false;
      out.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "RpcSession[" + name + "]";
  }
}
