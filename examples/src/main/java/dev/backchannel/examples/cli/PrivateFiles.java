package dev.backchannel.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The command line's files on disk, readable by their owner only: directories it creates are
 * {@code rwx------}, files it creates {@code rw-------}. Where the file system has no POSIX
 * permissions (Windows) the platform's defaults apply. What already exists keeps its permissions.
 *
 * @since 0.1
 */
public final class PrivateFiles {
  private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Creates {@code directory} and its missing parents, each new one {@code rwx------}. */
  public static Path createDirectories(Path directory) throws IOException {
    return posix()
        ? Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY))
        : Files.createDirectories(directory);
  }

  /** Attributes that create a file {@code rw-------} (none without POSIX permissions). */
  public static FileAttribute<?>[] fileAttributes() {
    return posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
        : new FileAttribute<?>[0];
  }

  /** Writes {@code text} to a new or truncated file; a new one is created {@code rw-------}. */
  public static void write(Path file, String text) throws IOException {
    writeBytes(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** Appends {@code text} to the file, creating it {@code rw-------} if it does not exist. */
  public static void append(Path file, String text) throws IOException {
    writeBytes(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
  }

  private static void writeBytes(Path file, byte[] bytes, StandardOpenOption mode) throws IOException {
    try (var ch = Files.newByteChannel(file,
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode), fileAttributes())) {
      var b = java.nio.ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
  }

  /**
   * Makes each regular file directly in {@code directory} {@code rw-------}: for files a library
   * (RocksDB) creates with the process's umask. A missing directory is left alone.
   */
  public static void restrictFiles(Path directory) throws IOException {
    if (!posix() || !Files.isDirectory(directory)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(directory)) {
      files = s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList();
    }
    for (Path f : files) {
      try {
        Files.setPosixFilePermissions(f, FILE);
      } catch (NoSuchFileException e) {
        // removed meanwhile (a compaction): nothing to restrict
      }
    }
  }
}
