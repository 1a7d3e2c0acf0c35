package dev.backchannel.netty.runtime;

import dev.backchannel.netty.internal.runtime.Receipt;
import dev.backchannel.netty.internal.runtime.SequenceRange;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * Coalesces received sequence numbers into receipts of at most {@link #MAX_RANGES} inclusive
 * ranges each, and checks a contact's receipt against the same bound. Stateless.
 */
final class ReceiptRanges {
  /** The most ranges (and single sequences, counted together) one receipt may carry. */
  static final int MAX_RANGES = 64;

  private ReceiptRanges() {}

  /** The receipts confirming {@code sequences}, fewest ranges first-fit. */
  static List<Receipt> receipts(SortedSet<Long> sequences) {
    List<Receipt> out = new ArrayList<>();
    Receipt.Builder current = Receipt.newBuilder();
    long first = -1;
    long last = -1;
    for (long s : sequences) {
      if (first >= 0 && s == last + 1) {
        last = s;
        continue;
      }
      if (first >= 0) {
        current = add(out, current, first, last);
      }
      first = s;
      last = s;
    }
    if (first >= 0) {
      current = add(out, current, first, last);
    }
    if (current.getRangesCount() > 0) {
      out.add(current.build());
    }
    return out;
  }

  private static Receipt.Builder add(List<Receipt> out, Receipt.Builder current, long first, long last) {
    if (current.getRangesCount() == MAX_RANGES) {
      out.add(current.build());
      current = Receipt.newBuilder();
    }
    current.addRanges(SequenceRange.newBuilder().setFirst(first).setLast(last));
    return current;
  }

  /** A checked range of a contact's receipt. */
  record Range(long first, long last) {}

  /**
   * The ranges of a contact's receipt, or null if it breaks the bounds (too many entries, a range
   * backwards or starting at 0). Single sequences become one-element ranges.
   */
  static List<Range> parse(Receipt r) {
    if (r.getSequencesCount() + r.getRangesCount() > MAX_RANGES) {
      return null;
    }
    List<Range> out = new ArrayList<>(r.getSequencesCount() + r.getRangesCount());
    for (long s : r.getSequencesList()) {
      if (s < 1) {
        return null;
      }
      out.add(new Range(s, s));
    }
    for (SequenceRange x : r.getRangesList()) {
      if (x.getFirst() < 1 || x.getLast() < x.getFirst()) {
        return null;
      }
      out.add(new Range(x.getFirst(), x.getLast()));
    }
    return out;
  }
}
