package dev.backchannel.netty.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted for one test (needs root and CAP_SYS_ADMIN; the test is skipped, with that
 * reason, where mounting is not permitted), and a ballast file that fills it.
 */
public final class Tmpfs implements AutoCloseable {
  private final Path mountPoint;

  private Tmpfs(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /** Mounts a tmpfs of {@code megabytes} at {@code mountPoint} (created), or skips the test. */
  public static Tmpfs mount(Path mountPoint, int megabytes) throws Exception {
    Files.createDirectories(mountPoint);
    int rc;
    try {
      rc = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", mountPoint.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    } catch (IOException e) {
      rc = -1;
    }
    Assumptions.assumeTrue(rc == 0, "mounting a tmpfs is not permitted here (needs root and CAP_SYS_ADMIN)");
    return new Tmpfs(mountPoint);
  }

  public Path path() {
    return mountPoint;
  }

  /** Writes {@code name} until the file system is full; returns the bytes written. */
  public long fill(String name) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    long written = 0;
    try (OutputStream out = Files.newOutputStream(mountPoint.resolve(name))) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException full) {
      return written;
    }
  }

  @Override
  public void close() throws Exception {
    new ProcessBuilder("umount", mountPoint.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(20, TimeUnit.SECONDS);
  }
}
