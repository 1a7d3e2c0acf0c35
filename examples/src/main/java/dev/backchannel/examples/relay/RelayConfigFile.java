package dev.backchannel.examples.relay;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The relay's config file, in TOML: one {@code NAME = value} per {@link RelaySetting}, numbers bare,
 * durations and paths as strings. Reading refuses, naming the file and the key, a file that is not
 * TOML, a key that is no setting, a table, and a value of the wrong kind; {@link #template} writes
 * every setting with its meaning and default (commented out), so the file documents the relay.
 *
 * <p>TOML because it is typed (a number is not a string, {@code no} is not a boolean, as YAML's
 * implicit typing would make it), has comments, is familiar from Cargo and pyproject files, and is
 * read here by Jackson's TOML module, the same well-kept library that writes the CLI's JSON.
 */
final class RelayConfigFile {
  /** The file {@code relay init} writes in the data directory. */
  static final String NAME = "relay.toml";
  /** Largest config file read. */
  static final long MAX_BYTES = 64 * 1024;

  private RelayConfigFile() {}

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException for a file that breaks the rules above, naming the file
   * @throws IOException if it cannot be read
   */
  static Map<RelaySetting, String> read(Path file) throws IOException {
    if (Files.size(file) > MAX_BYTES) {
      throw new IllegalArgumentException(file + ": larger than " + MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = new TomlMapper().readTree(Files.readString(file));
    } catch (JacksonException e) {
      throw new IllegalArgumentException(file + ": not valid TOML: " + e.getOriginalMessage());
    }
    Map<RelaySetting, String> values = new EnumMap<>(RelaySetting.class);
    if (root == null) {
      return values;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      RelaySetting s = RelaySetting.byKey(e.getKey());
      if (s == null) {
        throw new IllegalArgumentException(file + ": unknown option '" + e.getKey() + "' (known: "
            + Arrays.stream(RelaySetting.values()).map(x -> x.key).collect(Collectors.joining(", ")) + ")");
      }
      JsonNode v = e.getValue();
      boolean numeric = s.kind == RelaySetting.Kind.INT || s.kind == RelaySetting.Kind.LONG;
      if (numeric ? !v.isIntegralNumber() : !v.isTextual()) {
        throw new IllegalArgumentException(file + ": " + e.getKey() + " must be "
            + (numeric ? "a whole number" : "a string (in quotes)"));
      }
      values.put(s, v.asText());
    }
    return values;
  }

  /** A commented file with every setting: {@code data} set to {@code dataDirectory}, the rest at their defaults, commented out. */
  static String template(Path dataDirectory) {
    StringBuilder b = new StringBuilder();
    b.append("# Backchannel relay configuration (TOML). Every option is listed with its meaning and its\n")
        .append("# default, commented out: remove the '#' to change one. A flag (--NAME) overrides an environment\n")
        .append("# variable (BACKCHANNEL_RELAY_NAME, upper case, '_' for '-'), which overrides this file, which\n")
        .append("# overrides the default. Numbers are bare; durations are strings such as \"500ms\", \"30s\", \"15m\",\n")
        .append("# \"2h\", \"90d\" or \"PT30S\"; paths are strings. Run it with: relay --config FILE\n");
    for (RelaySetting s : RelaySetting.values()) {
      b.append('\n').append("# ").append(s.description)
          .append(s.defaultText == null && s != RelaySetting.DATA ? " No default; for example:" : "").append('\n');
      if (s == RelaySetting.DATA) {
        b.append(s.key).append(" = ").append(quote(dataDirectory.toAbsolutePath().toString())).append('\n');
      } else if (s.defaultText == null) {
        b.append("# ").append(s.key).append(" = ").append(quote(s.example())).append('\n');
      } else {
        boolean numeric = s.kind == RelaySetting.Kind.INT || s.kind == RelaySetting.Kind.LONG;
        b.append("# ").append(s.key).append(" = ").append(numeric ? s.defaultText : quote(s.defaultText)).append('\n');
      }
    }
    return b.toString();
  }

  /** A TOML basic string. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
