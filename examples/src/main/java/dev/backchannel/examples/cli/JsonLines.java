package dev.backchannel.examples.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON codec of the command line ({@code --json} and the daemon): a value written by
 * {@link #write} is one line of ASCII (newlines, quotes, control and non-ASCII characters inside
 * strings are escaped), and {@link #read} parses exactly one strict JSON value (no comments, no
 * trailing tokens, no duplicate keys, nesting at most {@link #MAX_DEPTH}).
 *
 * <p>Thread-safe.
 */
final class JsonLines {
  /** How deeply a request may nest arrays and objects. */
  static final int MAX_DEPTH = 32;

  private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build())
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
      .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private JsonLines() {}

  /** {@code value} as one line of ASCII JSON, without a line terminator. */
  static String write(JsonNode value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
  }

  /**
   * Parses one JSON value.
   *
   * @throws JsonProcessingException if {@code text} is not exactly one well-formed JSON value
   */
  static JsonNode read(String text) throws JsonProcessingException {
    JsonNode node = MAPPER.readTree(text);
    if (node == null || node.isMissingNode()) {
      throw new com.fasterxml.jackson.core.JsonParseException(null, "no JSON value");
    }
    return node;
  }
}
