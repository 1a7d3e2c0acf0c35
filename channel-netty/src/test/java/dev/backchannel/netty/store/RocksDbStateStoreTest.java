package dev.backchannel.netty.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backchannel.api.error.PassphraseRejectedException;
import dev.backchannel.api.error.StateLockedException;
import dev.backchannel.crypto.atrest.Argon2idParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state store's typed failures on opening, and owner-only permissions on creation. */
class RocksDbStateStoreTest {
  private static final Argon2idParameters CHEAP = new Argon2idParameters(64, 1, 1);

  @TempDir Path dir;

  @Test
  void aDirectoryOpenElsewhereIsLocked() throws Exception {
    Path state = dir.resolve("state");
    try (RocksDbStateStore first = RocksDbStateStore.open(state, null, CHEAP)) {
      assertThatThrownBy(() -> RocksDbStateStore.open(state, null, CHEAP))
          .isInstanceOf(StateLockedException.class)
          .hasMessageContaining("in use by another process");
    }
    RocksDbStateStore.open(state, null, CHEAP).close(); // free again once closed
  }

  @Test
  void aWrongMissingOrSuperfluousPassphraseIsRejected() throws Exception {
    Path secret = dir.resolve("secret");
    try (RocksDbStateStore s = RocksDbStateStore.open(secret, "right".toCharArray(), CHEAP)) {
      s.commit(Map.of("k", new byte[] {1}), List.of());
    }
    assertThatThrownBy(() -> RocksDbStateStore.open(secret, "wrong".toCharArray(), CHEAP))
        .isInstanceOf(PassphraseRejectedException.class).hasMessage("wrong passphrase");
    assertThatThrownBy(() -> RocksDbStateStore.open(secret, null, CHEAP))
        .isInstanceOf(PassphraseRejectedException.class).hasMessageContaining("passphrase is needed");
    RocksDbStateStore.open(dir.resolve("plain"), null, CHEAP).close();
    assertThatThrownBy(() -> RocksDbStateStore.open(dir.resolve("plain"), "x".toCharArray(), CHEAP))
        .isInstanceOf(PassphraseRejectedException.class).hasMessageContaining("without a passphrase");
  }

  @Test
  void aNewStateIsOwnerOnly() throws Exception {
    assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "POSIX permissions");
    Path state = dir.resolve("a/b/state");
    try (RocksDbStateStore s = RocksDbStateStore.open(state, null, CHEAP)) {
      s.commit(Map.of("k", new byte[] {1}), List.of());
      assertOwnerOnly(state);
    }
    assertOwnerOnly(state);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a"))))
        .isEqualTo("rwx------");
  }

  static void assertOwnerOnly(Path directory) throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
        .isEqualTo("rwx------");
    try (Stream<Path> files = Files.list(directory)) {
      List<Path> regular = files.filter(Files::isRegularFile).toList();
      assertThat(regular).isNotEmpty();
      for (Path f : regular) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
            .as(f.getFileName().toString()).isEqualTo("rw-------");
      }
    }
  }
}
