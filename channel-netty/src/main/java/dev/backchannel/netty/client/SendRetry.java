package dev.backchannel.netty.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with jitter for one envelope the relay refused for a while (mailbox
 * full, rate limited, storage unavailable). Immutable.
 *
 * @param attempts refusals so far (at least 1)
 */
record SendRetry(int attempts) {
  /** The delay before the next try: from {@code min} doubling to {@code max}, half of it jitter. */
  long delayMillis(Duration min, Duration max) {
    long base = Math.min(max.toMillis(), min.toMillis() << Math.min(attempts - 1, 20));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  SendRetry next() {
    return new SendRetry(attempts + 1);
  }
}
