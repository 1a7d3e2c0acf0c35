package dev.backchannel.benchmarks.relay;

import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One-off measurement: appends per second to the durable store (window of 256 in flight) while an
 * expiry sweep deletes {@code --expired=N} (default 200,000) due envelopes, beside the same
 * appends with nothing to expire. Prints appends/s and the append latency p50/p99/max of both.
 * {@code java -cp benchmarks/target/benchmarks.jar dev.backchannel.benchmarks.relay.ExpiryUnderLoad}
 */
public final class ExpiryUnderLoad {
  private ExpiryUnderLoad() {}

  public static void main(String[] args) throws Exception {
    int expired = 200_000;
    for (String a : args) {
      if (a.startsWith("--expired=")) {
        expired = Integer.parseInt(a.substring("--expired=".length()));
      }
    }
    Path dir = Files.createTempDirectory("expiry-under-load");
    try (RocksDbMailboxStore store = new RocksDbMailboxStore(dir)) {
      byte[] stale = random(32);
      byte[] live = random(32);
      store.createMailbox(new MailboxRecord(stale, random(32), null));
      store.createMailbox(new MailboxRecord(live, random(32), null));
      long now = System.currentTimeMillis();
      List<CompletableFuture<MailboxStore.Appended>> fill = new ArrayList<>();
      for (int i = 0; i < expired; i++) {
        fill.add(store.append(stale, random(16), new byte[1024], now - 1, 10_000_000, 1L << 40));
        if (fill.size() == 8_192) {
          CompletableFuture.allOf(fill.toArray(CompletableFuture[]::new)).join();
          fill.clear();
        }
      }
      CompletableFuture.allOf(fill.toArray(CompletableFuture[]::new)).join();
      report("appends, nothing to expire", run(store, live, null));
      CompletableFuture<Integer> sweep = CompletableFuture.supplyAsync(() -> {
        try {
          return store.expire(System.currentTimeMillis());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      report("appends during the sweep of " + expired + " expired", run(store, live, sweep));
      System.out.println("swept " + sweep.get(10, TimeUnit.MINUTES) + " envelopes");
    }
  }

  private record Result(double perSecond, Histogram micros) {}

  private static Result run(RocksDbMailboxStore store, byte[] id, CompletableFuture<?> during) throws Exception {
    Histogram h = new Histogram(3);
    java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(256);
    long start = System.nanoTime();
    long until = start + TimeUnit.SECONDS.toNanos(5);
    long n = 0;
    while (System.nanoTime() < until || (during != null && !during.isDone())) {
      window.acquire();
      long t = System.nanoTime();
      store.append(id, random(16), new byte[1024], Long.MAX_VALUE, 10_000_000, 1L << 40)
          .whenComplete((a, e) -> {
            h.recordValue(Math.max(1, (System.nanoTime() - t) / 1_000));
            window.release();
          });
      n++;
    }
    window.acquire(256);
    return new Result(n / ((System.nanoTime() - start) / 1e9), h);
  }

  private static void report(String what, Result r) {
    synchronized (r.micros()) {
      System.out.printf("%s: %.0f appends/s, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", what,
          r.perSecond(), r.micros().getValueAtPercentile(50) / 1e3, r.micros().getValueAtPercentile(99) / 1e3,
          r.micros().getMaxValue() / 1e3);
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }
}
