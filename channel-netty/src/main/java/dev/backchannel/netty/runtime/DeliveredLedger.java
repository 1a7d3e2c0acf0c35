package dev.backchannel.netty.runtime;

import dev.backchannel.netty.internal.runtime.ContactRecord;
import dev.backchannel.netty.internal.runtime.SequenceRange;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Which of our own sequence numbers a contact has confirmed: everything up to {@code through},
 * plus at most {@link #MAX_RANGES} ranges above it. A confirmation reports each sequence once,
 * and only sequences we actually sent, so however a contact words its receipts, the peer's work
 * over a conversation's life is bounded by the number of messages it sent. Stateless: it works on
 * a contact record.
 */
final class DeliveredLedger {
  static final int MAX_RANGES = 64;

  private DeliveredLedger() {}

  /**
   * Records the confirmation of {@code ranges} in {@code record} and returns the sequences newly
   * confirmed, ascending. Ranges are clipped to {@code 1 .. next_send_sequence - 1}.
   */
  static List<Long> confirm(ContactRecord.Builder record, List<ReceiptRanges.Range> ranges) {
    long maxSent = record.getNextSendSequence() - 1;
    long through = record.getDeliveredThrough();
    TreeMap<Long, Long> above = new TreeMap<>();
    for (SequenceRange r : record.getDeliveredAboveList()) {
      above.put(r.getFirst(), r.getLast());
    }
    List<Long> fresh = new ArrayList<>();
    for (ReceiptRanges.Range r : ranges) {
      long first = Math.max(r.first(), through + 1);
      long last = Math.min(r.last(), maxSent);
      for (long s = first; s <= last; s++) {
        var floor = above.floorEntry(s);
        if (floor != null && floor.getValue() >= s) {
          s = floor.getValue(); // already confirmed up to there
          continue;
        }
        fresh.add(s);
        above.merge(s, s, Math::max);
        merge(above, s);
      }
    }
    // Move contiguous ranges down into `through`.
    while (!above.isEmpty() && above.firstKey() <= through + 1) {
      var e = above.pollFirstEntry();
      through = Math.max(through, e.getValue());
    }
    while (above.size() > MAX_RANGES) {
      above.pollLastEntry(); // forgotten: a repeated confirmation of these would be reported again
    }
    record.setDeliveredThrough(through).clearDeliveredAbove();
    above.forEach((f, l) -> record.addDeliveredAbove(SequenceRange.newBuilder().setFirst(f).setLast(l)));
    fresh.sort(Long::compare);
    return fresh;
  }

  private static void merge(TreeMap<Long, Long> above, long s) {
    var self = above.floorEntry(s);
    var lower = above.lowerEntry(self.getKey());
    long first = self.getKey();
    long last = self.getValue();
    if (lower != null && lower.getValue() + 1 >= first) {
      above.remove(first);
      first = lower.getKey();
      last = Math.max(last, lower.getValue());
    }
    var higher = above.higherEntry(first);
    if (higher != null && higher.getKey() <= last + 1) {
      above.remove(higher.getKey());
      last = Math.max(last, higher.getValue());
    }
    above.put(first, last);
  }
}
