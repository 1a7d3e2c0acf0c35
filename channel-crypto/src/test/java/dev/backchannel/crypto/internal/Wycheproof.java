package dev.backchannel.crypto.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Loads the Wycheproof files copied into test resources; fails loudly if one is missing. */
final class Wycheproof {
  private Wycheproof() {}

  /** One test case with its group. */
  record Case(JsonNode group, JsonNode test) {
    int id() {
      return test.get("tcId").asInt();
    }

    String result() {
      return test.get("result").asText();
    }

    byte[] hex(String field) {
      return HexFormat.of().parseHex(test.get(field).asText());
    }

    boolean has(String field) {
      return test.has(field);
    }

    Set<String> flags() {
      Set<String> out = new TreeSet<>();
      test.path("flags").forEach(f -> out.add(f.asText()));
      return out;
    }

    @Override
    public String toString() {
      return "tcId " + id() + " (" + test.path("comment").asText() + ") " + flags();
    }
  }

  static JsonNode load(String file) {
    String path = "/vectors/wycheproof/" + file;
    try (InputStream in = Wycheproof.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test vector file " + path);
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Case> cases(String file) {
    JsonNode root = load(file);
    List<Case> out = new ArrayList<>();
    for (JsonNode g : root.get("testGroups")) {
      for (JsonNode t : g.get("tests")) {
        out.add(new Case(g, t));
      }
    }
    if (out.size() != root.get("numberOfTests").asInt()) {
      throw new IllegalStateException(file + ": counted " + out.size() + " cases, file says "
          + root.get("numberOfTests").asInt());
    }
    return out;
  }
}
