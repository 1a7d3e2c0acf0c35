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
  void keySizedValuesAreFoundInLogLines() throws Exception {
    java.util.Random r = new java.util.Random(38);
    for (int i = 0; i < 1_000; i++) {
      byte[] key = new byte[32];
      r.nextBytes(key);
      assertThat(HygieneExtension.hasKeySizedValue("k=" + java.util.HexFormat.of().formatHex(key))).isTrue();
      assertThat(HygieneExtension.hasKeySizedValue(
          "key " + java.util.Base64.getEncoder().encodeToString(key) + " end")).as("key %d", i).isTrue();
    }
    assertThat(HygieneExtension.hasKeySizedValue(
        "1525 [main] INFO dev.backchannel.netty.relay.RelayServer - relay listening on 127.0.0.1:37405"))
        .isFalse();
    assertThat(HygieneExtension.hasKeySizedValue(
        "\tdev.backchannel.Foo.theCustomLeakDetectorIsInstalledAndSeesALeakedBuffer(Foo.java:18)")).isFalse();
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
