package dev.backchannel.netty.internal.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay's key material: owner-only on creation, the same key and pin when loaded again. */
class RelayKeyMaterialTest {
  @TempDir Path dir;

  private static String permissions(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void aNewDataDirectoryAndItsKeyFilesAreOwnerOnly() throws Exception {
    assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "POSIX permissions");
    Path data = dir.resolve("relay-data");
    RelayKeyMaterial.loadOrCreate(data);
    assertThat(permissions(data)).isEqualTo("rwx------");
    assertThat(permissions(data.resolve(RelayKeyMaterial.KEY_FILE))).isEqualTo("rw-------");
    assertThat(permissions(data.resolve(RelayKeyMaterial.CERT_FILE))).isEqualTo("rw-------");
    assertThat(data.resolve(RelayKeyMaterial.KEY_FILE + ".tmp")).doesNotExist();
  }

  @Test
  void loadingAgainGivesTheSamePin() throws Exception {
    byte[] pin = RelayKeyMaterial.loadOrCreate(dir).pin();
    assertThat(RelayKeyMaterial.loadOrCreate(dir).pin()).isEqualTo(pin);
  }
}
