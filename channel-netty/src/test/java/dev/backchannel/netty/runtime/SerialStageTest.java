package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.crypto.atrest.Argon2idParameters;
import dev.backchannel.netty.store.RocksDbStateStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The serial stage's hand-off of received envelopes, which links make from their I/O threads. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SerialStageTest {
  @TempDir Path dir;

  private RocksDbStateStore store() throws Exception {
    return RocksDbStateStore.open(dir.resolve("state"), null, new Argon2idParameters(64, 1, 1));
  }

  private static SerialStage started(RocksDbStateStore store) {
    SerialStage stage = new SerialStage(store);
    stage.start(() -> { });
    return stage;
  }

  /**
   * An idle stage waits on its queue for up to 200 ms at a time; a delivery handed over while it
   * waits must wake it. Without the wake-up each of these deliveries would wait out the 200 ms.
   */
  @Test
  void aDeliveryWakesAnIdleStage() throws Exception {
    try (RocksDbStateStore store = store()) {
      SerialStage stage = started(store);
      int late = 0;
      for (int i = 0; i < 50; i++) {
        Thread.sleep(2); // let the stage go back to waiting
        CountDownLatch ran = new CountDownLatch(1);
        stage.submitDelivery(tx -> {
          ran.countDown();
          return null;
        });
        if (!ran.await(150, TimeUnit.MILLISECONDS)) {
          late++;
          assertThat(ran.await(10, TimeUnit.SECONDS)).as("ran at all").isTrue();
        }
      }
      assertThat(late).as("deliveries that waited out the stage's idle poll").isLessThanOrEqualTo(5);
      assertThat(stage.queuedDeliveries()).isZero();
      stage.stop().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void deliveriesFromManyThreadsAllRunInEachThreadsOrderAndNoneAfterStop() throws Exception {
    try (RocksDbStateStore store = store()) {
      SerialStage stage = started(store);
      int threads = 4;
      int each = 2_000;
      List<List<Integer>> seen = new ArrayList<>();
      CountDownLatch all = new CountDownLatch(threads * each);
      List<Thread> submitters = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Integer> mine = new ArrayList<>();
        seen.add(mine);
        Thread th = new Thread(() -> {
          for (int i = 0; i < each; i++) {
            int n = i;
            stage.submitDelivery(tx -> { // runs on the stage thread only: no lock needed
              mine.add(n);
              all.countDown();
              return null;
            });
          }
        });
        submitters.add(th);
        th.start();
      }
      for (Thread th : submitters) {
        th.join();
      }
      assertThat(all.await(60, TimeUnit.SECONDS)).isTrue();
      for (List<Integer> mine : seen) {
        assertThat(mine).hasSize(each).isSorted();
      }
      stage.stop().get(10, TimeUnit.SECONDS);
      AtomicInteger after = new AtomicInteger();
      stage.submitDelivery(tx -> {
        after.incrementAndGet();
        return null;
      });
      Thread.sleep(50);
      assertThat(after).as("a delivery after stop is dropped, to be delivered again by the relay").hasValue(0);
      assertThat(stage.queuedDeliveries()).isZero();
    }
  }
}
