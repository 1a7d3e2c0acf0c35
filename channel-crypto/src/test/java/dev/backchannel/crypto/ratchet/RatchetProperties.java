package dev.backchannel.crypto.ratchet;

import static dev.backchannel.crypto.ratchet.RatchetPair.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.error.DuplicateMessageException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * A hostile relay between two ratchet states that duplicates, reorders and drops (checklist 16-18):
 * every delivered message decrypts once to its bytes, duplicates are refused, and after a quiet
 * round both sides talk again.
 */
class RatchetProperties {
  private static final byte[] MB = new byte[32];

  @Property(tries = 40)
  void hostileRelayNeverBreaksTheSession(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed)
      throws Exception {
    runRandomWalk(seed, 400);
  }

  /** Checklist 18: the seeded 10,000-step walk. */
  @Test
  void tenThousandStepRandomWalk() throws Exception {
    runRandomWalk(20261124L, 10_000);
  }

  /** How long (in steps) the relay may hold a message: within this the skip bounds are met. */
  private static final int MAX_DELAY_STEPS = 25;

  private record InFlight(int id, int sentAt, boolean toResponder, byte[] bytes) {}

  private static void runRandomWalk(long seed, int steps) throws Exception {
    Random random = new Random(seed);
    RatchetPair p = RatchetPair.create();
    // The initiator must speak first.
    p.responder.decrypt(p.initiator.encrypt(bytes("hello"), MB), MB);
    List<InFlight> inFlight = new ArrayList<>();
    Set<Integer> decrypted = new HashSet<>();
    int nextId = 0;
    for (int step = 0; step < steps; step++) {
      // The relay holds nothing longer than MAX_DELAY_STEPS: overdue messages go out now.
      for (int i = 0; i < inFlight.size(); i++) {
        if (step - inFlight.get(i).sentAt() > MAX_DELAY_STEPS) {
          deliver(p, inFlight.remove(i--), decrypted);
        }
      }
      int action = random.nextInt(100);
      if (action < 40 || inFlight.isEmpty()) {
        boolean toResponder = random.nextBoolean();
        RatchetState from = toResponder ? p.initiator : p.responder;
        int id = nextId++;
        inFlight.add(new InFlight(id, step, toResponder, from.encrypt(bytes("msg " + id), MB)));
      } else if (action < 85) {
        // Deliver a random in-flight message (reordering); keep it with some chance (duplicate).
        int i = random.nextInt(inFlight.size());
        InFlight m = inFlight.get(i);
        if (random.nextInt(100) >= 15) {
          inFlight.remove(i);
        }
        deliver(p, m, decrypted);
      } else if (action < 95) {
        inFlight.remove(random.nextInt(inFlight.size())); // drop
      } else {
        // Far-future duplicate of something already delivered is refused as duplicate.
        if (!inFlight.isEmpty()) {
          InFlight m = inFlight.get(random.nextInt(inFlight.size()));
          deliver(p, m, decrypted);
        }
      }
    }
    // Quiesce: deliver everything left once, then both sides exchange fresh messages.
    for (InFlight m : inFlight) {
      deliver(p, m, decrypted);
    }
    for (int i = 0; i < 3; i++) {
      byte[] a = bytes("final a" + i);
      assertThat(p.responder.decrypt(p.initiator.encrypt(a, MB), MB).plaintext()).isEqualTo(a);
      byte[] b = bytes("final b" + i);
      assertThat(p.initiator.decrypt(p.responder.encrypt(b, MB), MB).plaintext()).isEqualTo(b);
    }
    assertThat(p.initiator.skippedKeyCount()).isLessThanOrEqualTo(RatchetState.MAX_SKIPPED_KEYS);
    assertThat(p.responder.skippedKeyCount()).isLessThanOrEqualTo(RatchetState.MAX_SKIPPED_KEYS);
  }

  private static void deliver(RatchetPair p, InFlight m, Set<Integer> decrypted) throws Exception {
    RatchetState to = m.toResponder() ? p.responder : p.initiator;
    byte[] before = to.toByteArray();
    try {
      DecryptedMessage d = to.decrypt(m.bytes(), MB);
      assertThat(decrypted.add(m.id())).as("message %d decrypted twice", m.id()).isTrue();
      assertThat(d.plaintext()).isEqualTo(bytes("msg " + m.id()));
    } catch (DuplicateMessageException e) {
      assertThat(decrypted).as("duplicate of an undelivered message %d", m.id()).contains(m.id());
      assertThat(Arrays.equals(before, to.toByteArray())).isTrue();
    }
  }
}
