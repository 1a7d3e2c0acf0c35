package dev.backchannel.netty.hygiene;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.HashSet;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The checks of {@link HygieneExtension} see what they are meant to see. */
class HygieneExtensionTest {

  @Test
  void theCustomLeakDetectorIsInstalledAndSeesALeakedBuffer() throws Exception {
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    int before = CountingLeakDetector.LEAKS.size();
    leakOne();
    for (int i = 0; i < 20 && CountingLeakDetector.LEAKS.size() == before; i++) {
      HygieneExtension.drainLeakQueue();
    }
    assertThat(CountingLeakDetector.LEAKS).hasSizeGreaterThan(before);
    assertThat(CountingLeakDetector.LEAKS.get(before)).startsWith("LEAK: ");
    // Forget the deliberate leak, so the extension does not fail this test for it.
    while (CountingLeakDetector.LEAKS.size() > before) {
      CountingLeakDetector.LEAKS.remove(CountingLeakDetector.LEAKS.size() - 1);
    }
  }

  private static void leakOne() {
    ByteBufAllocator.DEFAULT.directBuffer(64).writeLong(1); // never released
  }

  @Test
  void aThreadLeftRunningIsSeenAndSharedPoolsAreNot() throws Exception {
    HashSet<Long> ids = new HashSet<>();
    Thread.getAllStackTraces().keySet().forEach(t -> ids.add(t.getId()));
    var baseline = new Object() {
      final HashSet<Long> threads = ids;
    };
    CountDownLatch stop = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        stop.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "left-running");
    t.start();
    try {
      boolean seen = Thread.getAllStackTraces().keySet().stream()
          .anyMatch(x -> !baseline.threads.contains(x.getId()) && x.getName().equals("left-running"));
      assertThat(seen).isTrue();
      assertThat(HygieneExtension.SHARED.stream().anyMatch("left-running"::startsWith)).isFalse();
    } finally {
      stop.countDown();
      t.join();
    }
    assertThat(HygieneExtension.openFds()).isPositive();
  }
}
