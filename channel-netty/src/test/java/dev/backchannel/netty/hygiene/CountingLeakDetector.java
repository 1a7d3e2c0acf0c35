package dev.backchannel.netty.hygiene;

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector (installed for the tests with {@code -Dio.netty.customResourceLeakDetector})
 * that also records every reported leak, so {@link HygieneExtension} can fail the test during
 * which it was found instead of leaving a {@code LEAK:} line in a log nobody reads.
 */
public final class CountingLeakDetector<T> extends ResourceLeakDetector<T> {
  /** Every leak reported in this JVM, oldest first. */
  static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  public CountingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  public CountingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    super(resourceType, samplingInterval, maxActive);
  }

  @Override
  protected boolean needReport() {
    return true;
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    LEAKS.add("LEAK: " + resourceType + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    LEAKS.add("LEAK: " + resourceType + " (untraced)");
    super.reportUntracedLeak(resourceType);
  }
}
