package dev.backchannel.netty.hygiene;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.File;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Checklist 37, applied to every JUnit test of this module (registered by service loading with
 * extension autodetection): after each test, (1) no Netty buffer leak was reported while it ran
 * (PARANOID detection, the leak queue drained by a GC and fresh allocations), (2) every thread it
 * started has ended, except the JVM's and libraries' shared pools listed in {@link #SHARED}, and
 * (3) the process's open file descriptors are back to where they were (Linux {@code /proc}).
 * Threads and descriptors get a grace period, because a closed event loop or store finishes
 * asynchronously.
 */
public final class HygieneExtension implements BeforeEachCallback, AfterEachCallback {
  /** Name prefixes of threads that outlive a test by design (shared, lazily started pools). */
  static final List<String> SHARED = List.of(
      "ForkJoinPool.commonPool", "globalEventExecutor", "Common-Cleaner", "Reference Handler",
      "Finalizer", "Signal Dispatcher", "Attach Listener", "process reaper", "surefire-forkedjvm",
      "Notification Thread", "main", "ObjectCleanerThread", "junit-", "JUnit", "jazzer",
      "Keep-Alive-Timer", "FileSystemWatchService", "Timer-", "HashedWheelTimer");
  private static final int FD_SLACK = 4;
  private static final long GRACE_MILLIS = 15_000;

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(HygieneExtension.class);

  private record Baseline(Set<Long> threads, int fds, int leaks) {}

  @Override
  public void beforeEach(ExtensionContext context) {
    Set<Long> ids = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      ids.add(t.getId());
    }
    context.getStore(NS).put("baseline", new Baseline(ids, openFds(), CountingLeakDetector.LEAKS.size()));
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Baseline before = context.getStore(NS).remove("baseline", Baseline.class);
    if (before == null) {
      return;
    }
    long deadline = System.currentTimeMillis() + GRACE_MILLIS;
    Set<String> extra = newThreads(before);
    int fds = openFds();
    while ((!extra.isEmpty() || fds > before.fds() + FD_SLACK) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      extra = newThreads(before);
      fds = openFds();
    }
    drainLeakQueue();
    List<String> leaks = new ArrayList<>(
        CountingLeakDetector.LEAKS.subList(before.leaks(), CountingLeakDetector.LEAKS.size()));
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " Netty buffer leak(s) during this test:\n" + leaks.get(0));
    }
    if (!extra.isEmpty()) {
      throw new AssertionError("threads started by this test still run " + GRACE_MILLIS / 1000 + " s after it: " + extra);
    }
    if (fds > before.fds() + FD_SLACK) {
      throw new AssertionError("open file descriptors: " + before.fds() + " before the test, " + fds + " after");
    }
  }

  private static Set<String> newThreads(Baseline before) {
    Set<String> names = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && !before.threads().contains(t.getId()) && !shared(t.getName())) {
        names.add(t.getName());
      }
    }
    return names;
  }

  private static boolean shared(String name) {
    for (String p : SHARED) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /** Open descriptors of this process, or 0 where {@code /proc} does not exist. */
  static int openFds() {
    String[] fds = new File("/proc/self/fd").list();
    return fds == null ? 0 : fds.length;
  }

  /** Lets the leak detector see collected buffers: GC, then allocations that poll its queue. */
  static void drainLeakQueue() throws InterruptedException {
    if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
      return;
    }
    for (int round = 0; round < 2; round++) {
      System.gc();
      Thread.sleep(50);
      for (ByteBufAllocator a : new ByteBufAllocator[] {
          ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT}) {
        for (int i = 0; i < 64; i++) {
          ByteBuf b = a.directBuffer(16);
          b.release();
          b = a.heapBuffer(16);
          b.release();
        }
      }
    }
  }
}
