package dev.backchannel.netty.internal.tls;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.internal.fs.OwnerOnly;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.bouncycastle.operator.OperatorCreationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One file that holds everything a relay node needs to prove it is the relay of an address:
 * the private key (PKCS#8) and its self-signed certificate, as two PEM blocks ({@code PRIVATE
 * KEY}, then {@code CERTIFICATE}). The nodes of one relay cluster are given the same file, so they
 * have the same pin and print the same address.
 *
 * <p>{@link #loadOrCreate} creates a missing file with a new key, {@code rw-------} from the start
 * (on POSIX), fully written and synced under a temporary name and then linked into place without
 * replacing anything: of two nodes that start at once on one machine, one creates the file and
 * the other reads it, and neither ever sees half a file. An existing file is read, never written;
 * one readable by others is used with a warning. Not API.
 */
public final class RelayKeyFile {
  private static final Logger LOG = LoggerFactory.getLogger(RelayKeyFile.class);
  /** Largest key file read: a P-256 key and certificate take about 1 KiB. */
  static final int MAX_BYTES = 64 * 1024;
  private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String KEY_END = "-----END PRIVATE KEY-----";
  private static final String CERT_BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final String CERT_END = "-----END CERTIFICATE-----";

  private RelayKeyFile() {}

  /**
   * Reads the key file, creating it with a new key when it does not exist.
   *
   * @throws StateStoreException if it cannot be read or written, or does not hold a matching
   *     key and certificate (the message names the file, never its content)
   */
  public static RelayKeyMaterial loadOrCreate(Path file) throws StateStoreException {
    try {
      if (!Files.exists(file)) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
          OwnerOnly.createDirectories(parent);
        }
        RelayKeyMaterial made = RelayKeyMaterial.generate();
        if (create(file, encode(made))) {
          return made;
        }
        // Another node created it first: use theirs.
      }
      return read(file);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new StateStoreException("cannot load or create the relay key file " + file + ": " + e.getMessage(), e);
    }
  }

  private static RelayKeyMaterial read(Path file) throws IOException, StateStoreException {
    if (Files.size(file) > MAX_BYTES) {
      throw new StateStoreException("the relay key file " + file + " is larger than " + MAX_BYTES + " bytes");
    }
    warnIfShared(file);
    byte[] raw = Files.readAllBytes(file);
    String text = new String(raw, StandardCharsets.US_ASCII);
    Arrays.fill(raw, (byte) 0);
    byte[] key = block(text, KEY_BEGIN, KEY_END, file);
    byte[] cert = block(text, CERT_BEGIN, CERT_END, file);
    try {
      return RelayKeyMaterial.fromEncoded(key, cert);
    } catch (GeneralSecurityException e) {
      throw new StateStoreException("the relay key file " + file + " does not hold a usable P-256 key and"
          + " its certificate (" + e.getClass().getSimpleName() + ")");
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] block(String text, String begin, String end, Path file) throws StateStoreException {
    int b = text.indexOf(begin);
    int e = b < 0 ? -1 : text.indexOf(end, b);
    if (b < 0 || e < 0) {
      throw new StateStoreException("the relay key file " + file + " has no '" + begin + "' block");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    } catch (IllegalArgumentException x) {
      throw new StateStoreException("the relay key file " + file + " has a damaged '" + begin + "' block");
    }
  }

  private static byte[] encode(RelayKeyMaterial m) throws GeneralSecurityException {
    Base64.Encoder b64 = Base64.getMimeEncoder(64, new byte[] {'\n'});
    byte[] key = m.privateKeyEncoded();
    try {
      String text = KEY_BEGIN + "\n" + b64.encodeToString(key) + "\n" + KEY_END + "\n"
          + CERT_BEGIN + "\n" + b64.encodeToString(m.certificateEncoded()) + "\n" + CERT_END + "\n";
      return text.getBytes(StandardCharsets.US_ASCII);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Writes {@code data} as {@code file} unless it exists; returns whether this call created it. */
  private static boolean create(Path file, byte[] data) throws IOException {
    byte[] suffix = new byte[8];
    new SecureRandom().nextBytes(suffix);
    Path tmp = file.resolveSibling(file.getFileName() + "." + HexFormat.of().formatHex(suffix) + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), OwnerOnly.fileAttributes())) {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      try {
        Files.createLink(file, tmp); // atomic, and refuses to replace an existing file
      } catch (UnsupportedOperationException e) {
        Files.move(tmp, file); // no hard links here: a move that refuses to replace
      }
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } finally {
      Arrays.fill(data, (byte) 0);
      Files.deleteIfExists(tmp);
    }
  }

  private static void warnIfShared(Path file) throws IOException {
    if (!OwnerOnly.posix()) {
      return;
    }
    Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
    if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
      LOG.warn("the relay key file {} is readable by others than its owner; make it rw------- (chmod 600)", file);
    }
  }
}
