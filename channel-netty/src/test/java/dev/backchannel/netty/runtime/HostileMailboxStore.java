package dev.backchannel.netty.runtime;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A malicious relay's storage: a real relay runs on top of it, and it changes what the relay
 * stores and therefore delivers. Each {@link Mode} is one attack; the relay still acknowledges
 * every send, as a lying relay would.
 */
final class HostileMailboxStore implements MailboxStore {
  /** The attacks. */
  enum Mode { NONE, TAMPER, TRUNCATE, DROP, DUPLICATE, REPLAY, REORDER, INJECT, SPLICE, DELAY, OLD_COPY, RANDOM }

  /** How long {@link Mode#DELAY} holds each envelope back. */
  static final long DELAY_MILLIS = 1_500;

  private final MailboxStore real;
  /** How many times the store deviated from honest behaviour. */
  final java.util.concurrent.atomic.AtomicInteger attacks = new java.util.concurrent.atomic.AtomicInteger();
  private volatile Mode mode = Mode.NONE;
  private byte[][] held;          // REORDER: the envelope held back {mailbox, body}
  private byte[][] remembered;    // REPLAY: an envelope seen earlier {mailbox, body}
  private byte[][] last;          // SPLICE: the last envelope stored {mailbox, body}
  private byte[][] lastOfAnother; // SPLICE: the last envelope of a mailbox other than last's
  /** OLD_COPY: a backup of what was stored, as {mailbox, message id, body}. */
  private final List<byte[][]> backup = new java.util.ArrayList<>();
  private final java.util.concurrent.ScheduledExecutorService delayer =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hostile-delay");
        t.setDaemon(true);
        return t;
      });

  /** RANDOM: the seeded source, and what it did per mailbox: {appends, dropped, duplicated, held, tampered}. */
  private java.util.Random random = new java.util.Random(0);
  final java.util.Map<java.nio.ByteBuffer, long[]> randomCounts = new java.util.concurrent.ConcurrentHashMap<>();
  /** RANDOM: the chance of each of drop, duplicate, reorder (hold back) and bit flip. */
  private double randomRate = 0.05;

  /** Switches to {@link Mode#RANDOM} with this seed and per-attack chance. */
  synchronized void random(long seed, double rate) {
    random = new java.util.Random(seed);
    randomRate = rate;
    mode(Mode.RANDOM);
  }

  HostileMailboxStore(MailboxStore real) {
    this.real = real;
  }

  void mode(Mode m) {
    synchronized (this) {
      if (held != null) {
        // A reordering relay still delivers what it held back, only later.
        real.append(held[0], freshId(), held[1], Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE).join();
      }
      mode = m;
      held = null;
      remembered = null;
    }
  }

  private static byte[] freshId() {
    byte[] id = new byte[16];
    ThreadLocalRandom.current().nextBytes(id);
    return id;
  }

  /**
   * Reports no usable sequence (-1), so the relay never hands the envelope it received straight to
   * a subscriber and always delivers what this store holds: the lies reach the recipient.
   */
  @Override
  public CompletableFuture<Appended> append(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, long maxEnvelopes, long maxBytes) {
    return attack(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes)
        .thenApply(a -> new Appended(-1, a.duplicate()));
  }

  private synchronized CompletableFuture<Appended> attack(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, long maxEnvelopes, long maxBytes) {
    // The latest envelope of any other mailbox, however long ago: receipts are held for a while,
    // so the append just before may well be to the same mailbox.
    byte[][] foreign = last != null && !Arrays.equals(last[0], mailboxId) ? last : lastOfAnother;
    if (last != null && !Arrays.equals(last[0], mailboxId)) {
      lastOfAnother = last;
    }
    last = new byte[][] {mailboxId.clone(), body.clone()};
    if (mode != Mode.NONE && !(mode == Mode.REPLAY && remembered == null)
        && !(mode == Mode.SPLICE && (foreign == null || Arrays.equals(foreign[0], mailboxId)))) {
      attacks.incrementAndGet();
    }
    if (mode == Mode.RANDOM) {
      return randomAttack(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
    }
    switch (mode) {
      case TAMPER -> {
        byte[] t = body.clone();
        t[t.length / 2] ^= 0x10;
        return real.append(mailboxId, messageId, t, expiresAtMillis, maxEnvelopes, maxBytes);
      }
      case TRUNCATE -> {
        return real.append(mailboxId, messageId, Arrays.copyOf(body, body.length - 10), expiresAtMillis,
            maxEnvelopes, maxBytes);
      }
      case DROP -> {
        return CompletableFuture.completedFuture(new Appended(-1, false));
      }
      case DUPLICATE -> {
        real.append(mailboxId, freshId(), body, expiresAtMillis, maxEnvelopes, maxBytes);
        return real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
      }
      case REPLAY -> {
        if (remembered != null && Arrays.equals(remembered[0], mailboxId)) {
          real.append(mailboxId, freshId(), remembered[1], expiresAtMillis, maxEnvelopes, maxBytes);
        } else {
          remembered = new byte[][] {mailboxId.clone(), body.clone()};
        }
        return real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
      }
      case REORDER -> {
        if (held == null) {
          held = new byte[][] {mailboxId.clone(), body.clone()};
          return CompletableFuture.completedFuture(new Appended(-1, false)); // released after the next
        }
        if (!Arrays.equals(held[0], mailboxId)) {
          return real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
        }
        CompletableFuture<Appended> f = real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
        real.append(mailboxId, freshId(), held[1], expiresAtMillis, maxEnvelopes, maxBytes);
        held = null;
        return f;
      }
      case INJECT -> {
        byte[] junk = new byte[body.length];
        ThreadLocalRandom.current().nextBytes(junk);
        real.append(mailboxId, freshId(), junk, expiresAtMillis, maxEnvelopes, maxBytes);
        return real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
      }
      case DELAY -> {
        // Holds the envelope back: stored (and so delivered and acknowledged) only later.
        byte[] m = mailboxId.clone();
        byte[] id = messageId.clone();
        byte[] b = body.clone();
        CompletableFuture<Appended> later = new CompletableFuture<>();
        delayer.schedule(() -> real.append(m, id, b, expiresAtMillis, maxEnvelopes, maxBytes)
                .whenComplete((a, e) -> {
                  if (e != null) {
                    later.completeExceptionally(e);
                  } else {
                    later.complete(a);
                  }
                }),
            DELAY_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        return later;
      }
      case OLD_COPY -> {
        backup.add(new byte[][] {mailboxId.clone(), messageId.clone(), body.clone()});
        return real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
      }
      case SPLICE -> {
        if (foreign != null && !Arrays.equals(foreign[0], mailboxId)) {
          real.append(mailboxId, freshId(), foreign[1], expiresAtMillis, maxEnvelopes, maxBytes);
        }
        return real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
      }
      default -> {
        return real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
      }
    }
  }

  private CompletableFuture<Appended> randomAttack(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, long maxEnvelopes, long maxBytes) {
    long[] c = randomCounts.computeIfAbsent(java.nio.ByteBuffer.wrap(mailboxId.clone()), k -> new long[5]);
    c[0]++;
    CompletableFuture<Appended> result;
    int bucket = (int) (random.nextDouble() / randomRate); // 0 drop, 1 duplicate, 2 hold back, 3 flip a bit
    if (bucket == 0) {
      c[1]++;
      result = CompletableFuture.completedFuture(new Appended(-1, false)); // dropped, yet acknowledged
    } else if (bucket == 1) {
      c[2]++;
      real.append(mailboxId, freshId(), body, expiresAtMillis, maxEnvelopes, maxBytes);
      result = real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
    } else if (bucket == 2 && held == null) {
      c[3]++;
      held = new byte[][] {mailboxId.clone(), body.clone()};
      return CompletableFuture.completedFuture(new Appended(-1, false)); // released after the next
    } else if (bucket == 3) {
      c[4]++;
      byte[] t = body.clone();
      int bit = random.nextInt(t.length * 8);
      t[bit / 8] ^= (byte) (1 << (bit % 8));
      result = real.append(mailboxId, messageId, t, expiresAtMillis, maxEnvelopes, maxBytes);
    } else {
      result = real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
    }
    if (held != null && Arrays.equals(held[0], mailboxId)) {
      real.append(held[0], freshId(), held[1], expiresAtMillis, maxEnvelopes, maxBytes);
      held = null;
    }
    return result;
  }

  /**
   * Serves the old copy of the mailboxes: everything stored while in {@link Mode#OLD_COPY} is put
   * back (under new message ids, so the relay's own de-duplication cannot hide it), as a relay
   * restored from a stale backup would serve it after the recipient received and acknowledged it.
   */
  synchronized int serveOldCopy() {
    for (byte[][] e : backup) {
      real.append(e[0], freshId(), e[2], Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE).join();
    }
    int n = backup.size();
    backup.clear();
    return n;
  }

  @Override
  public boolean createMailbox(MailboxRecord mailbox) throws StateStoreException {
    return real.createMailbox(mailbox);
  }

  @Override
  public Optional<MailboxRecord> mailbox(byte[] mailboxId) throws StateStoreException {
    return real.mailbox(mailboxId);
  }

  @Override
  public void updateMailbox(MailboxRecord mailbox) throws StateStoreException {
    real.updateMailbox(mailbox);
  }

  @Override
  public void deleteMailbox(byte[] mailboxId) throws StateStoreException {
    real.deleteMailbox(mailboxId);
  }

  @Override
  public List<StoredEnvelope> read(byte[] mailboxId, long fromSequence, int max) throws StateStoreException {
    return real.read(mailboxId, fromSequence, max);
  }

  @Override
  public CompletableFuture<Boolean> remove(byte[] mailboxId, byte[] messageId) {
    return real.remove(mailboxId, messageId);
  }

  @Override
  public Usage usage(byte[] mailboxId) throws StateStoreException {
    return real.usage(mailboxId);
  }

  @Override
  public void putInvitation(byte[] invitationId, byte[] bundle, long expiresAtMillis) throws StateStoreException {
    real.putInvitation(invitationId, bundle, expiresAtMillis);
  }

  @Override
  public Optional<byte[]> fetchInvitation(byte[] invitationId, long nowMillis) throws StateStoreException {
    return real.fetchInvitation(invitationId, nowMillis);
  }

  @Override
  public int expire(long nowMillis) throws StateStoreException {
    return real.expire(nowMillis);
  }

  @Override
  public void close() {
    delayer.shutdown();
    try {
      delayer.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    real.close();
  }
}
