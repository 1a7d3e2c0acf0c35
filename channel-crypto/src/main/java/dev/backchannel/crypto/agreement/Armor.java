package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The ASCII-armored agreement file (PROTOCOL.md, "Agreements", "Armored file"):
 *
 * <pre>
 * -----BEGIN BACKCHANNEL AGREEMENT-----
 * base64 (RFC 4648, with padding) of the binary file, in lines of 64 characters, the last 1..64
 * =base64(SHA-256(binary file))
 * -----END BACKCHANNEL AGREEMENT-----
 * </pre>
 *
 * Lines end in LF (CR LF accepted). ASCII whitespace (space, tab, CR, LF) before the first and
 * after the last line is ignored; nothing else is. The base64 must be canonical.
 */
final class Armor {
  static final String BEGIN = "-----BEGIN BACKCHANNEL AGREEMENT-----";
  static final String END = "-----END BACKCHANNEL AGREEMENT-----";
  static final int LINE = 64;
  private static final int MAX_BASE64 = (AgreementFile.MAX_LENGTH + 2) / 3 * 4;
  /**
   * The longest armored input: the armor of the largest binary file with CR LF line ends, plus
   * 4096 bytes of surrounding whitespace.
   */
  static final int MAX_LENGTH = MAX_BASE64 + 2 * ((MAX_BASE64 + LINE - 1) / LINE)
      + (BEGIN.length() + 2) + (1 + 44 + 2) + (END.length() + 2) + 4096;

  private Armor() {}

  static String armor(byte[] binary) {
    String b64 = Base64.getEncoder().encodeToString(binary);
    StringBuilder sb = new StringBuilder(b64.length() + b64.length() / LINE + 200);
    sb.append(BEGIN).append('\n');
    for (int i = 0; i < b64.length(); i += LINE) {
      sb.append(b64, i, Math.min(b64.length(), i + LINE)).append('\n');
    }
    sb.append('=').append(Base64.getEncoder().encodeToString(Sha256.of(binary))).append('\n');
    sb.append(END).append('\n');
    return sb.toString();
  }

  /** Whether {@code file}, after leading ASCII whitespace, starts like an armored file. */
  static boolean isArmored(byte[] file) {
    int i = skipSpace(file, 0);
    byte[] begin = "-----BEGIN ".getBytes(StandardCharsets.US_ASCII);
    if (file.length - i < begin.length) {
      return false;
    }
    for (int j = 0; j < begin.length; j++) {
      if (file[i + j] != begin[j]) {
        return false;
      }
    }
    return true;
  }

  static byte[] dearmor(byte[] file) throws MalformedInputException {
    if (file.length > MAX_LENGTH) {
      throw new MalformedInputException("armored file is longer than " + MAX_LENGTH + " bytes");
    }
    for (byte b : file) {
      if (b < 0) {
        throw new MalformedInputException("armored file is not ASCII");
      }
    }
    int from = skipSpace(file, 0);
    int to = file.length;
    while (to > from && isSpace(file[to - 1])) {
      to--;
    }
    String text = new String(file, from, to - from, StandardCharsets.US_ASCII);
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].endsWith("\r")) {
        lines[i] = lines[i].substring(0, lines[i].length() - 1);
      }
    }
    if (lines.length < 4 || !lines[0].equals(BEGIN)) {
      throw new MalformedInputException("armored file does not start with " + BEGIN);
    }
    if (!lines[lines.length - 1].equals(END)) {
      throw new MalformedInputException("armored file does not end with " + END);
    }
    String checksum = lines[lines.length - 2];
    if (!checksum.startsWith("=")) {
      throw new MalformedInputException("armored file has no checksum line");
    }
    StringBuilder body = new StringBuilder();
    for (int i = 1; i < lines.length - 2; i++) {
      String l = lines[i];
      boolean last = i == lines.length - 3;
      if (l.isEmpty() || l.length() > LINE || (!last && l.length() != LINE)) {
        throw new MalformedInputException("armored line " + (i + 1) + " has the wrong length");
      }
      body.append(l);
    }
    byte[] binary;
    byte[] sum;
    try {
      binary = Base64.getDecoder().decode(body.toString());
      sum = Base64.getDecoder().decode(checksum.substring(1));
    } catch (IllegalArgumentException e) {
      throw new MalformedInputException("armored file is not valid base64");
    }
    if (!Base64.getEncoder().encodeToString(binary).contentEquals(body)
        || !Base64.getEncoder().encodeToString(sum).equals(checksum.substring(1))) {
      throw new MalformedInputException("armored file's base64 is not canonical");
    }
    if (!MessageDigest.isEqual(Sha256.of(binary), sum)) {
      throw new MalformedInputException("armored file's checksum does not match");
    }
    return binary;
  }

  private static int skipSpace(byte[] b, int i) {
    while (i < b.length && isSpace(b[i])) {
      i++;
    }
    return i;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }
}
