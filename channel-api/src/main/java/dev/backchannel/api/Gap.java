package dev.backchannel.api;

/**
 * A run of the contact's sequence numbers that never arrived before a later one did: messages
 * possibly dropped on the way (or still delayed). Reported once per run, however long.
 *
 * @param from the first missing sequence number (at least 1)
 * @param to the last missing sequence number ({@code >= from})
 * @since 0.2
 */
public record Gap(long from, long to) {
  /**
   * Checks the bounds.
   *
   * @throws IllegalArgumentException if {@code from < 1} or {@code to < from}
   */
  public Gap {
    if (from < 1 || to < from) {
      throw new IllegalArgumentException("a gap runs from 1 <= from <= to, not " + from + ".." + to);
    }
  }

  /** How many sequence numbers are missing. */
  public long count() {
    return to - from + 1;
  }
}
