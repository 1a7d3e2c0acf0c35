package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.internal.runtime.Receipt;
import dev.backchannel.netty.internal.runtime.SequenceRange;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class HeldReceiptsTest {
  private static SequenceRange range(long first, long last) {
    return SequenceRange.newBuilder().setFirst(first).setLast(last).build();
  }

  @Test
  void heldUntilAUserMessageCarriesThem() {
    HeldReceipts h = new HeldReceipts(List.of());
    h.add(List.of(1L, 2L, 3L, 7L));
    assertThat(h.take(false)).as("no carrier, not due").isEmpty();
    assertThat(h.ranges()).containsExactly(range(1, 3), range(7, 7));
    List<Receipt> r = h.take(true);
    assertThat(r).hasSize(1);
    assertThat(r.get(0).getRangesList()).containsExactly(range(1, 3), range(7, 7));
    assertThat(h.isEmpty()).isTrue();
    assertThat(h.ranges()).isEmpty();
  }

  @Test
  void theTimerMakesThemDueAndOneTimerAtATime() {
    HeldReceipts h = new HeldReceipts(List.of());
    assertThat(h.needsTimer()).as("nothing held").isFalse();
    h.add(List.of(5L));
    assertThat(h.needsTimer()).isTrue();
    h.timerSet();
    assertThat(h.needsTimer()).as("one already set").isFalse();
    h.add(List.of(6L));
    assertThat(h.take(false)).isEmpty();
    h.timerFired();
    assertThat(h.take(false)).singleElement().extracting(Receipt::getRangesList, InstanceOfAssertFactories.list(SequenceRange.class)).containsExactly(range(5, 6));
    assertThat(h.needsTimer()).isFalse();
    h.add(List.of(9L));
    assertThat(h.take(false)).as("due only once").isEmpty();
    h.timerFired();
    h.timerFired(); // a timer that fires with nothing new keeps nothing due
    assertThat(h.take(false)).hasSize(1);
    h.timerFired();
    h.add(List.of(10L));
    assertThat(h.take(false)).as("fired while empty: the next ones wait again").isEmpty();
  }

  @Test
  void tooManyGoAtOnce() {
    HeldReceipts full = new HeldReceipts(List.of());
    full.add(LongStream.rangeClosed(1, HeldReceipts.MAX_HELD).boxed().toList());
    assertThat(full.take(false)).as("one range, but the most held").hasSize(1);

    HeldReceipts scattered = new HeldReceipts(List.of());
    scattered.add(LongStream.rangeClosed(1, ReceiptRanges.MAX_RANGES + 1).map(i -> i * 2).boxed().toList());
    assertThat(scattered.take(false)).as("more ranges than one receipt holds").hasSize(2);
    assertThat(scattered.isEmpty()).isTrue();
  }

  @Test
  void whatARecordHeldIsDueAtOnceAndBounded() {
    HeldReceipts h = new HeldReceipts(List.of(range(3, 4), range(9, 9)));
    assertThat(h.take(false)).as("held across a restart").singleElement()
        .extracting(Receipt::getRangesList, InstanceOfAssertFactories.list(SequenceRange.class)).containsExactly(range(3, 4), range(9, 9));

    HeldReceipts huge = new HeldReceipts(List.of(range(0, Long.MAX_VALUE)));
    assertThat(huge.ranges()).as("sequence 0 dropped, at most MAX_HELD kept")
        .containsExactly(range(1, HeldReceipts.MAX_HELD));
  }
}
