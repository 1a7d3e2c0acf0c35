package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedLineReaderTest {
  private static BoundedLineReader reader(byte[] bytes, int max) {
    return new BoundedLineReader(new ByteArrayInputStream(bytes), max);
  }

  private static BoundedLineReader reader(String text, int max) {
    return reader(text.getBytes(StandardCharsets.UTF_8), max);
  }

  @Test
  void splitsAtLineFeedsDropsACarriageReturnAndKeepsALastLineWithoutOne() throws Exception {
    BoundedLineReader r = reader("one\r\ntwo\n\nthree", 100);
    assertThat(r.next().text()).isEqualTo("one");
    assertThat(r.next().text()).isEqualTo("two");
    assertThat(r.next().text()).isEmpty();
    assertThat(r.next().text()).isEqualTo("three");
    assertThat(r.next()).isNull();
    assertThat(r.next()).isNull();
  }

  @Test
  void aLineAtTheLimitIsReadAndOneByteMoreIsSkippedToItsEnd() throws Exception {
    BoundedLineReader r = reader("a".repeat(10) + "\n" + "b".repeat(11) + "\nafter\n", 10);
    assertThat(r.next().text()).isEqualTo("a".repeat(10));
    BoundedLineReader.Line over = r.next();
    assertThat(over.tooLong()).isTrue();
    assertThat(over.text()).isNull();
    assertThat(r.next().text()).isEqualTo("after");
  }

  @Test
  void aLineManyBuffersLongIsSkippedAndReadingGoesOn() throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("x".repeat(200_000).getBytes(StandardCharsets.US_ASCII));
    b.writeBytes("\nnext\n".getBytes(StandardCharsets.US_ASCII));
    BoundedLineReader r = reader(b.toByteArray(), 1024);
    assertThat(r.next().tooLong()).isTrue();
    assertThat(r.next().text()).isEqualTo("next");
    assertThat(r.next()).isNull();
  }

  @Test
  void multiByteCharactersAcrossTheReadBufferAndMalformedUtf8() throws Exception {
    String text = "a".repeat(8191) + "\u00e9\ud83d\udd12";
    assertThat(reader(text + "\n", 1 << 20).next().text()).isEqualTo(text);
    BoundedLineReader r = reader(new byte[] {'o', 'k', (byte) 0xc3, '\n', 'x', '\n'}, 100);
    assertThat(r.next().notUtf8()).isTrue();
    assertThat(r.next().text()).isEqualTo("x");
  }

  @Test
  void refusesALimitBelowOne() {
    assertThatThrownBy(() -> reader("", 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
  }
}
