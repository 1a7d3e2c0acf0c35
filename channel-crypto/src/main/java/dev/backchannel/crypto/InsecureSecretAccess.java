package dev.backchannel.crypto;

/**
 * A token that grants raw access to the bytes of a {@link SecretBytes}. Every place that reads
 * a secret's bytes names this class, so such places are easy to find and review
 * ({@code grep InsecureSecretAccess}).
 *
 * <p>Thread-safe and stateless.
 *
 * @since 0.1
 */
public final class InsecureSecretAccess {
  private static final InsecureSecretAccess TOKEN = new InsecureSecretAccess();

  private InsecureSecretAccess() {}

  /** Returns the access token. */
  public static InsecureSecretAccess get() {
    return TOKEN;
  }
}
