package dev.backchannel.benchmarks.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The disk's synchronous write rate: 1 KiB appended and forced, one at a time. */
final class DiskSyncBaseline {
  private DiskSyncBaseline() {}

  /** Synced 1 KiB writes per second in {@code dir}, measured for {@code millis}. */
  static double writesPerSecond(Path dir, long millis) throws IOException {
    Path f = Files.createTempFile(dir, "sync", ".bin");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer b = ByteBuffer.allocate(1024);
      long n = 0;
      long start = System.nanoTime();
      long end = start + millis * 1_000_000;
      while (System.nanoTime() < end) {
        b.clear();
        ch.write(b);
        ch.force(false);
        n++;
      }
      return n / ((System.nanoTime() - start) / 1e9);
    } finally {
      Files.deleteIfExists(f);
    }
  }
}
