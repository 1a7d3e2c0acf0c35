package dev.backchannel.netty.internal.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Directories created {@code rwx------} and files {@code rw-------}, so that state on disk is
 * readable by its owner only. On a file system without POSIX permissions (Windows) every method
 * does what it would do without them and leaves the platform's defaults.
 *
 * <p>Directories and files that already exist keep their permissions, except where a method says
 * otherwise: the owner may have widened them on purpose. Not API.
 */
public final class OwnerOnly {
  private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private OwnerOnly() {}

  /** Whether the default file system has POSIX permissions. */
  public static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /** Creates {@code directory} and any missing parents, each new one {@code rwx------}. */
  public static Path createDirectories(Path directory) throws IOException {
    if (!posix()) {
      return Files.createDirectories(directory);
    }
    FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(DIRECTORY);
    return Files.createDirectories(directory, attr);
  }

  /** The attributes that create a file {@code rw-------}, none where POSIX is not supported. */
  public static FileAttribute<?>[] fileAttributes() {
    return posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
        : new FileAttribute<?>[0];
  }

  /**
   * Makes every regular file directly in {@code directory} {@code rw-------}: for files made by
   * a library (RocksDB) that takes no permissions. Subdirectories are left as they are.
   */
  public static void restrictFiles(Path directory) throws IOException {
    if (!posix()) {
      return;
    }
    try (Stream<Path> files = Files.list(directory)) {
      files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).forEach(f -> {
        try {
          Files.setPosixFilePermissions(f, FILE);
        } catch (java.nio.file.NoSuchFileException e) {
          // removed meanwhile (a compaction): nothing to restrict
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
