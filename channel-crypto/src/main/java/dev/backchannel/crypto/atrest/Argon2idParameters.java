package dev.backchannel.crypto.atrest;

/**
 * Cost parameters of Argon2id (RFC 9106). Validated on construction.
 *
 * @param memoryKiB memory in KiB, at least 8 * parallelism and at most 4 GiB
 * @param iterations passes over memory, 1..100
 * @param parallelism lanes, 1..64
 * @since 0.1
 */
public record Argon2idParameters(int memoryKiB, int iterations, int parallelism) {
  /** RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes. The default. */
  public static final Argon2idParameters DEFAULT = new Argon2idParameters(64 * 1024, 3, 4);

  /**
   * Validates the parameters.
   *
   * @throws IllegalArgumentException naming the parameter, its value and the allowed range
   */
  public Argon2idParameters {
    if (parallelism < 1 || parallelism > 64) {
      throw new IllegalArgumentException("parallelism must be 1..64, got " + parallelism);
    }
    if (iterations < 1 || iterations > 100) {
      throw new IllegalArgumentException("iterations must be 1..100, got " + iterations);
    }
    if (memoryKiB < 8 * parallelism || memoryKiB > 4 * 1024 * 1024) {
      throw new IllegalArgumentException(
          "memoryKiB must be " + (8 * parallelism) + ".." + (4 * 1024 * 1024) + ", got "
              + memoryKiB);
    }
  }
}
