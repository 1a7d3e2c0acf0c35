package dev.backchannel.benchmarks.profile;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of this JVM's threads between two moments, grouped by thread name with every number
 * written {@code N} (so all of a pool's threads are one group): where a run spent its CPU.
 * Threads that end between the two moments are not in any group (the process total still counts
 * them); take the second snapshot before closing what owns them.
 */
public final class CpuByThread {
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Map<Long, Long> start = new HashMap<>();
  private final long processStart;

  /** Takes the first snapshot. */
  public CpuByThread() {
    threads.setThreadCpuTimeEnabled(true);
    for (long id : threads.getAllThreadIds()) {
      start.put(id, Math.max(0, threads.getThreadCpuTime(id)));
    }
    processStart = processCpuNanos();
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
