package dev.backchannel.crypto.ratchet;

/**
 * The result of a successful {@link RatchetState#decrypt}: the plaintext and where the message
 * stood in the sender's chains, so the caller can see gaps (possible drops by the relay).
 *
 * <p>Immutable; {@link #plaintext()} returns a copy. {@link #toString()} never shows the
 * plaintext.
 *
 * @since 0.1
 */
public final class DecryptedMessage {
  private final byte[] plaintext;
  private final long number;
  private final int newlySkipped;
  private final boolean late;
  private final boolean ratchetStep;

  DecryptedMessage(byte[] plaintext, long number, int newlySkipped, boolean late, boolean ratchetStep) {
    this.plaintext = plaintext;
    this.number = number;
    this.newlySkipped = newlySkipped;
    this.late = late;
    this.ratchetStep = ratchetStep;
  }

  /** The plaintext (a copy). */
  public byte[] plaintext() {
    return plaintext.clone();
  }

  /** The message's number N in its sending chain. */
  public long number() {
    return number;
  }

  /**
   * How many earlier messages this one revealed as missing (their keys are now stored as
   * skipped): each is a possible drop until it arrives late.
   */
  public int newlySkipped() {
    return newlySkipped;
  }

  /** Whether this message filled an earlier gap (it was decrypted with a skipped key). */
  public boolean late() {
    return late;
  }

  /** Whether this message started a new receiving chain (a DH ratchet step). */
  public boolean ratchetStep() {
    return ratchetStep;
  }

  @Override
  public String toString() {
    return "DecryptedMessage[number=" + number + ", bytes=" + plaintext.length + ", newlySkipped="
        + newlySkipped + ", late=" + late + "]";
  }
}
