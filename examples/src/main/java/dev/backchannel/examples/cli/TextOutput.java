package dev.backchannel.examples.cli;

import java.io.PrintWriter;

/**
 * The text form of the {@code peer} commands, byte for byte as scripts have read it since 0.1:
 * each event's {@link CliEvent#text()} as one line on standard output, nothing for events the text
 * form does not show, and failures as one {@code error:} line on standard error.
 */
final class TextOutput implements Output {
  private final PrintWriter out;
  private final PrintWriter err;

  TextOutput(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public synchronized void emit(CliEvent event) {
    String line = event.text();
    if (line == null) {
      return;
    }
    PrintWriter w = event instanceof CliEvent.Failure ? err : out;
    w.println(line);
    w.flush();
  }
}
