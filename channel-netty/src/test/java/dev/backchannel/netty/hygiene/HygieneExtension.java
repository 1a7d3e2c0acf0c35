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
 * (3) the process's open file descriptors are back to where they were (Linux {@code /proc}), and
 * (4) checklist 38 across the suite: nothing the test made the code log (our packages log at DEBUG
 * in tests, into {@code target/test-logs.txt}) holds a key-sized encoded value: no run of 64 or
 * more hex digits, no run of 43 or more base64 characters.
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

  private record Baseline(Set<Long> threads, int fds, int leaks, long logLength) {}

  /** The test log (simplelogger.properties), relative to the module directory surefire runs in. */
  static final java.nio.file.Path LOG = java.nio.file.Path.of("target", "test-logs.txt");
  /** A 32-byte value (or longer) as hex or base64/base64url: keys, secrets, fingerprints. */
  static final java.util.regex.Pattern KEY_SIZED =
      java.util.regex.Pattern.compile("[0-9a-fA-F]{64,}|[A-Za-z0-9+/_-]{43,}");

  /**
   * Whether {@code line} holds a key-sized encoded value. Stack-trace frames are skipped, and so
   * is a run that is part of a qualified Java name (after a '.', or before a '.' or '(').
   */
  static boolean hasKeySizedValue(String line) {
    if (line.contains(".java:") || line.strip().startsWith("at ")) {
      return false;
    }
    java.util.regex.Matcher m = KEY_SIZED.matcher(line);
    while (m.find()) {
      boolean afterDot = m.start() > 0 && line.charAt(m.start() - 1) == '.';
      boolean beforeCallOrDot = m.end() < line.length() && (line.charAt(m.end()) == '(' || line.charAt(m.end()) == '.');
      if (!afterDot && !beforeCallOrDot) {
        return true;
      }
    }
    return false;
  }

  static long logLength() {
    try {
      return java.nio.file.Files.exists(LOG) ? java.nio.file.Files.size(LOG) : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  /** Log lines written since {@code from} that hold a key-sized encoded value. */
  static List<String> keySizedLogLines(long from) throws java.io.IOException {
    List<String> found = new ArrayList<>();
    if (!java.nio.file.Files.exists(LOG)) {
      return found;
    }
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(LOG.toFile(), "r")) {
      if (f.length() <= from) {
        return found;
      }
      f.seek(from);
      byte[] b = new byte[(int) Math.min(f.length() - from, 64L * 1024 * 1024)];
      f.readFully(b);
      for (String line : new String(b, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
        if (hasKeySizedValue(line)) {
          found.add(line);
        }
      }
    }
    return found;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Set<Long> ids = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      ids.add(t.getId());
    }
    context.getStore(NS).put("baseline", new Baseline(ids, openFds(), CountingLeakDetector.LEAKS.size(), logLength()));
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
    List<String> logged = keySizedLogLines(before.logLength());
    if (!logged.isEmpty()) {
      throw new AssertionError(logged.size() + " log line(s) with a key-sized encoded value, e.g.: " + logged.get(0));
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
