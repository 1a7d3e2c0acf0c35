package dev.backchannel.examples.cli;

import java.io.PrintWriter;

/**
 * {@code peer --json}: each event as one JSON object on one line of standard output (NDJSON),
 * failures included ({@code {"type":"error","code":N,"message":"…"}}), so that a script reads a
 * single stream. The lines are ASCII: every other character is escaped ({@link JsonLines}), so
 * a message's text survives any terminal encoding exactly.
 */
final class JsonOutput implements Output {
  private final PrintWriter out;

  JsonOutput(PrintWriter out) {
    this.out = out;
  }

  @Override
  public synchronized void emit(CliEvent event) {
    out.println(JsonLines.write(event.json()));
    out.flush();
  }
}
