package dev.backchannel.benchmarks.profile;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads between two moments, grouped by thread name with every number
 * written {@code N} (so all of a pool's threads are one group): where a run spent its CPU.
 * Threads that end between the two moments are not in any group (the process total still counts
 * them); take the second snapshot before closing what owns them. On Linux it also reads the JVM's
 * own threads, which Java does not list (the JIT compilers, the garbage collector), from
 * {@code /proc/self/task}: {@link #jitNanos()} and {@link #gcNanos()}; elsewhere those are 0.
 */
public final class CpuByThread {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> start = new HashMap<>();
  private final long processStart;
  private final Map<String, Long> nativeStart;
  private final long compileMillisStart;
  /** The compiler's share of a warm-up round below which the JIT counts as settled. */
  public static final double SETTLED_JIT_SHARE = 0.1;
  private static final Path TASKS = Path.of("/proc/self/task");
  /** Clock ticks per second of {@code /proc}'s times (USER_HZ, 100 on every Linux port in use). */
  private static final long TICKS_PER_SECOND = 100;

  /** Takes the first snapshot. */
  public CpuByThread() {
    threads.setThreadCpuTimeEnabled(true);
    for (long id : threads.getAllThreadIds()) {
      start.put(id, Math.max(0, threads.getThreadCpuTime(id)));
    }
    processStart = processCpuNanos();
    nativeStart = nativeGroups();
    compileMillisStart = compileMillis();
  }

  /** Milliseconds the JIT compiler has spent so far, as the JVM counts it (wall time, all threads). */
  public static long compileMillis() {
    return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }

  /**
   * The compiler's share of the {@code wallNanos} since construction: its threads' CPU where the
   * system tells it, else the JVM's compile time (wall).
   */
  public double jitShare(long wallNanos) {
    long jit = jitNanos();
    if (jit == 0) {
      jit = (compileMillis() - compileMillisStart) * 1_000_000;
    }
    return (double) jit / wallNanos;
  }

  /** Prints the {@code limit} largest groups' CPU per message since construction, one line each. */
  public void printGroups(String phase, double messages, int limit) {
    byGroup().entrySet().stream().limit(limit).forEach(g -> System.out.printf(java.util.Locale.ROOT,
        "%-28s cpu µs/message %10.1f  %s%n", phase, g.getValue() / 1e3 / messages, g.getKey()));
  }

  /** CPU nanoseconds of the JIT compiler threads since construction (0 where unknown). */
  public long jitNanos() {
    return nativeSince("CN CompilerThre"); // "C1 CompilerThre", "C2 CompilerThre", digits as N
  }

  /**
   * CPU nanoseconds since construction of the garbage collector's threads and the VM thread,
   * which runs its pauses (0 where unknown).
   */
  public long gcNanos() {
    return nativeSince("GC Thread", "GN ", "VM Thread"); // "G1 Conc#0" and the like, digits as N
  }

  private long nativeSince(String... prefixes) {
    long sum = 0;
    for (Map.Entry<String, Long> g : nativeGroups().entrySet()) {
      for (String p : prefixes) {
        if (g.getKey().startsWith(p)) {
          sum += g.getValue() - nativeStart.getOrDefault(g.getKey(), 0L);
          break;
        }
      }
    }
    return Math.max(0, sum);
  }

  /** CPU nanoseconds so far of every thread of this process, by its kernel name with digits as N. */
  private static Map<String, Long> nativeGroups() {
    Map<String, Long> groups = new HashMap<>();
    if (!Files.isDirectory(TASKS)) {
      return groups;
    }
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path t : tasks) {
        String stat;
        try {
          stat = Files.readString(t.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
          continue;
        }
        String name = stat.substring(open + 1, close).replaceAll("\\d+", "N");
        String[] f = stat.substring(close + 2).split(" ");
        // after the name: state(0) ... utime(11) stime(12), in clock ticks
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        groups.merge(name, ticks * (1_000_000_000L / TICKS_PER_SECOND), Long::sum);
      }
    } catch (IOException | RuntimeException e) {
      return new HashMap<>();
    }
    return groups;
  }

  /** CPU nanoseconds of the whole process so far. */
  public static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** CPU nanoseconds of the whole process since construction. */
  public long processNanos() {
    return processCpuNanos() - processStart;
  }

  /** CPU nanoseconds per thread group since construction, largest first. */
  public Map<String, Long> byGroup() {
    Map<String, Long> groups = new HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      ThreadInfo info = threads.getThreadInfo(id);
      long now = threads.getThreadCpuTime(id);
      if (info == null || now < 0) {
        continue;
      }
      String group = info.getThreadName().replaceAll("\\d+", "N");
      groups.merge(group, now - start.getOrDefault(id, 0L), Long::sum);
    }
    Map<String, Long> sorted = new LinkedHashMap<>();
    groups.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  /** CPU nanoseconds since construction of the groups whose names start with any of {@code prefixes}. */
  public long startingWith(String... prefixes) {
    long sum = 0;
    for (Map.Entry<String, Long> g : byGroup().entrySet()) {
      for (String p : prefixes) {
        if (g.getKey().startsWith(p)) {
          sum += g.getValue();
          break;
        }
      }
    }
    return sum;
  }
}
