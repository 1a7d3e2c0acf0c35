package dev.backchannel.netty.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backchannel.api.error.StateStoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayKeyFileTest {
  @TempDir Path dir;

  private static String pin(RelayKeyMaterial m) {
    return HexFormat.of().formatHex(m.pin());
  }

  @Test
  void aMissingFileIsCreatedOwnerOnlyAndReadBackWithTheSamePin() throws Exception {
    Path file = dir.resolve("keys/relay.key");
    RelayKeyMaterial first = RelayKeyFile.loadOrCreate(file);
    assertThat(Files.exists(file)).isTrue();
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    assertThat(text).startsWith("-----BEGIN PRIVATE KEY-----\n").contains("-----BEGIN CERTIFICATE-----");
    assertThat(pin(RelayKeyFile.loadOrCreate(file))).isEqualTo(pin(first));
    // A copy given to another node is the same relay.
    Path copy = dir.resolve("node2.key");
    Files.copy(file, copy);
    assertThat(pin(RelayKeyFile.loadOrCreate(copy))).isEqualTo(pin(first));
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("relay.key"); // no temp left
    }
  }

  @Test
  void nodesStartingAtOnceAgreeOnOneKey() throws Exception {
    Path file = dir.resolve("shared.key");
    int n = 6;
    CyclicBarrier start = new CyclicBarrier(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<String>> pins = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Callable<String> c = () -> {
          start.await();
          return pin(RelayKeyFile.loadOrCreate(file));
        };
        pins.add(pool.submit(c));
      }
      Set<String> distinct = new HashSet<>();
      for (Future<String> f : pins) {
        distinct.add(f.get());
      }
      assertThat(distinct).hasSize(1);
      assertThat(distinct).containsExactly(pin(RelayKeyFile.loadOrCreate(file)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void damagedOrMismatchedFilesAreTypedErrorsWithoutTheirContent() throws Exception {
    Path file = dir.resolve("relay.key");
    RelayKeyFile.loadOrCreate(file);
    String good = Files.readString(file);
    Path other = dir.resolve("other.key");
    RelayKeyFile.loadOrCreate(other);
    String otherText = Files.readString(other);

    Path mixed = dir.resolve("mixed.key");
    Files.writeString(mixed, good.substring(0, good.indexOf("-----BEGIN CERTIFICATE-----"))
        + otherText.substring(otherText.indexOf("-----BEGIN CERTIFICATE-----")));
    assertThatThrownBy(() -> RelayKeyFile.loadOrCreate(mixed))
        .isInstanceOf(StateStoreException.class).hasMessageContaining("does not hold a usable");

    Path noCert = dir.resolve("nocert.key");
    Files.writeString(noCert, good.substring(0, good.indexOf("-----BEGIN CERTIFICATE-----")));
    assertThatThrownBy(() -> RelayKeyFile.loadOrCreate(noCert))
        .isInstanceOf(StateStoreException.class).hasMessageContaining("CERTIFICATE");

    Path junk = dir.resolve("junk.key");
    Files.writeString(junk, "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n"
        + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> RelayKeyFile.loadOrCreate(junk)).isInstanceOf(StateStoreException.class);

    Path huge = dir.resolve("huge.key");
    Files.write(huge, new byte[RelayKeyFile.MAX_BYTES + 1]);
    assertThatThrownBy(() -> RelayKeyFile.loadOrCreate(huge))
        .isInstanceOf(StateStoreException.class).hasMessageContaining("larger");

    String keyBody = good.substring(good.indexOf('\n') + 1, good.indexOf("-----END PRIVATE KEY-----")).strip();
    for (Path p : List.of(mixed, noCert, junk)) {
      assertThatThrownBy(() -> RelayKeyFile.loadOrCreate(p))
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(keyBody.substring(0, 40)));
    }
  }

  @Test
  void aFileReadableByOthersStillLoads() throws Exception {
    assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "POSIX permissions");
    Path file = dir.resolve("relay.key");
    String pin = pin(RelayKeyFile.loadOrCreate(file));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(pin(RelayKeyFile.loadOrCreate(file))).isEqualTo(pin); // used, with a warning
  }
}
