package dev.backchannel.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads lines of UTF-8 of at most a fixed number of bytes from a stream, without ever holding
 * more: a longer line is skipped to its end and reported as {@link Line#tooLong()}, and reading
 * goes on with the next one. A line ends at LF; a CR before it is dropped. Not thread-safe.
 */
final class BoundedLineReader {
  /** One line read: its text, or that it was too long, or that it was not UTF-8. */
  record Line(String text, boolean tooLong, boolean notUtf8) {}

  private final InputStream in;
  private final int maxBytes;
  private final byte[] buf = new byte[8192];
  private int pos;
  private int end;

  BoundedLineReader(InputStream in, int maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1, not " + maxBytes);
    }
    this.in = in;
    this.maxBytes = maxBytes;
  }

  /**
   * The next line, or null at the end of the stream (a last line without LF is still returned).
   *
   * @throws IOException if the stream fails
   */
  Line next() throws IOException {
    java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    boolean over = false;
    boolean any = false;
    while (true) {
      if (pos == end) {
        end = in.read(buf, 0, buf.length);
        pos = 0;
        if (end <= 0) {
          end = 0;
          return any ? finish(line, over) : null;
        }
      }
      any = true;
      int start = pos;
      while (pos < end && buf[pos] != '\n') {
        pos++;
      }
      int n = pos - start;
      if (!over && line.size() + n > maxBytes) {
        over = true;
        line.reset();
      }
      if (!over) {
        line.write(buf, start, n);
      }
      if (pos < end) {
        pos++; // the LF
        return finish(line, over);
      }
    }
  }

  private static Line finish(java.io.ByteArrayOutputStream line, boolean over) {
    if (over) {
      return new Line(null, true, false);
    }
    byte[] b = line.toByteArray();
    int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
    try {
      String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, 0, len)).toString();
      return new Line(text, false, false);
    } catch (CharacterCodingException e) {
      return new Line(null, false, true);
    }
  }
}
