package dev.backchannel.api;

/**
 * How an introduction ended, as its introducer sees it.
 *
 * @since 0.3
 */
public enum IntroductionOutcome {
  /** Both accepted and each was handed what it needs to reach the other. */
  CONNECTED,
  /** One of them declined (the other was told only that the introduction closed). */
  CLOSED,
  /** Not both answered before the introduction expired. */
  EXPIRED
}
