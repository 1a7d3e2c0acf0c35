package dev.backchannel.examples.relay;

import dev.backchannel.api.error.StateLockedException;
import dev.backchannel.examples.cli.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * An exclusive lock on a relay's data directory ({@code relay.lock} in it), held for the life of
 * a {@code backchannel relay} process, so that a second relay on the same directory stops before
 * it touches the key or the store. The operating system releases it when the process ends, even
 * by SIGKILL.
 */
final class DataDirectoryLock implements AutoCloseable {
  static final String FILE = "relay.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates the directory if needed (owner-only) and locks it.
   *
   * @throws StateLockedException if another relay holds the lock
   * @throws IOException if the directory or the lock file cannot be made
   */
  static DataDirectoryLock acquire(Path dataDirectory) throws IOException, StateLockedException {
    PrivateFiles.createDirectories(dataDirectory);
    FileChannel ch = FileChannel.open(dataDirectory.resolve(FILE),
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), PrivateFiles.fileAttributes());
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this process already
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new StateLockedException(
          "the relay data directory " + dataDirectory + " is in use by another relay");
    }
    return new DataDirectoryLock(ch, lock);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
