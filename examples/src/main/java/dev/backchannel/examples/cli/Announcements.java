package dev.backchannel.examples.cli;

import dev.backchannel.api.AppData;
import dev.backchannel.api.Peer;
import dev.backchannel.api.error.BackchannelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code receive} has printed already (contacts, introductions, agreement statuses), kept in
 * the peer's sealed state ({@link AppData}) so that no name or id lies in the clear beside it.
 * A set of lines per key; the oldest lines are dropped when a set outgrows one value. Files that
 * older versions kept in the state directory are read once, moved into the state and deleted.
 */
final class Announcements {
  private static final int MAX_BYTES = AppData.MAX_VALUE_BYTES - 1024;

  private final Peer peer;
  private final String key;
  private final Path legacyFile;

  Announcements(Peer peer, String key, Path legacyFile) {
    this.peer = peer;
    this.key = key;
    this.legacyFile = legacyFile;
  }

  /** The lines recorded so far. */
  Set<String> read() throws BackchannelException, IOException {
    Set<String> lines = new LinkedHashSet<>();
    peer.appData().get(key).ifPresent(v -> lines.addAll(split(v)));
    if (Files.exists(legacyFile)) {
      lines.addAll(Files.readAllLines(legacyFile, StandardCharsets.UTF_8));
      write(lines);
      Files.delete(legacyFile);
    }
    return lines;
  }

  /** Records {@code line}. */
  void add(String line) throws BackchannelException, IOException {
    Set<String> lines = read();
    lines.add(line);
    write(lines);
  }

  private void write(Set<String> lines) throws BackchannelException {
    List<String> all = new ArrayList<>(lines);
    String joined = String.join("\n", all);
    while (joined.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES && !all.isEmpty()) {
      all.remove(0);
      joined = String.join("\n", all);
    }
    peer.appData().put(key, joined.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> split(byte[] v) {
    String s = new String(v, StandardCharsets.UTF_8);
    return s.isEmpty() ? List.of() : List.of(s.split("\n"));
  }
}
