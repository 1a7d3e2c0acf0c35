package dev.backchannel.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a secret kept in a file of its own (the relay's admission secret, on the relay and on its
 * peers): the file's bytes, less one trailing newline ({@code \n} or {@code \r\n}) that an editor
 * or {@code echo} adds. The caller owns the returned array and should zero it after use.
 */
public final class SecretFile {
  private SecretFile() {}

  /**
   * The secret in {@code file}.
   *
   * @throws IOException if the file cannot be read
   */
  public static byte[] read(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    int n = b.length;
    if (n > 0 && b[n - 1] == '\n') {
      n--;
      if (n > 0 && b[n - 1] == '\r') {
        n--;
      }
    }
    byte[] out = Arrays.copyOf(b, n);
    Arrays.fill(b, (byte) 0);
    return out;
  }
}
