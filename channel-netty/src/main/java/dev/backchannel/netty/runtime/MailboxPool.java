package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.internal.runtime.SpareMailboxRecord;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mailboxes created at the home relay ahead of need, so that answering a handshake or rotating
 * never waits on the network in the serial stage. A spare is recorded ({@code spare/<id>}) once
 * the relay confirms it; taking one deletes the record in the taker's transaction. Refills in the
 * background with capped backoff. Stage-confined, except that refills run on link callbacks.
 */
final class MailboxPool {
  private static final Logger LOG = LoggerFactory.getLogger(MailboxPool.class);
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  private static final SecureRandom RANDOM = new SecureRandom();
  static final int TARGET = 2;

  /** One ready mailbox and its owner key (the key bytes are secret). */
  record Spare(byte[] mailboxId, byte[] ownerKey, String relay) {
    @Override
    public String toString() {
      return "Spare[mailbox]";
    }
  }

  private final PeerContext peer;
  private final Deque<Spare> spares = new ArrayDeque<>();
  private final List<Runnable> waiters = new ArrayList<>();
  private int creating;
  private int failures;

  MailboxPool(PeerContext peer) {
    this.peer = peer;
  }

  /** Loads the spares of the home relay. */
  void load() throws StateStoreException {
    String home = peer.links().home().toString();
    for (String k : peer.store().keys(StateKeys.SPARE_PREFIX)) {
      try {
        SpareMailboxRecord r = SpareMailboxRecord.parseFrom(peer.store().get(k).orElseThrow());
        if (r.getRelay().equals(home)) {
          spares.add(new Spare(r.getMailbox().toByteArray(), r.getOwnerKey().toByteArray(), r.getRelay()));
        }
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("spare mailbox record " + k + " is corrupt");
      }
    }
  }

  /** Takes a spare (stage only), or empty if none is ready; refills either way. */
  Optional<Spare> take(StateTransaction tx) {
    Spare s = spares.poll();
    if (s != null) {
      tx.delete(StateKeys.spare(s.mailboxId()));
      tx.onFailure(() -> spares.addFirst(s));
    }
    refill();
    return Optional.ofNullable(s);
  }

  /** Runs {@code r} on the stage once a spare is ready (stage only). */
  void whenReady(Runnable r) {
    if (!spares.isEmpty()) {
      r.run();
    } else {
      waiters.add(r);
      refill();
    }
  }

  /** Starts creating spares up to the target (stage only). */
  void refill() {
    while (spares.size() + creating < TARGET && !peer.closed()) {
      creating++;
      create();
    }
  }

  private void create() {
    byte[] id = new byte[32];
    RANDOM.nextBytes(id);
    SecretBytes owner = Ed25519.generatePrivateKey();
    byte[] ownerBytes = owner.toByteArray(ACCESS);
    String relay = peer.links().home().toString();
    try {
      peer.links().get(peer.links().home()).createMailbox(id, owner).whenComplete((v, e) -> {
        owner.close();
        peer.stage().later(tx -> {
          creating--;
          if (e != null) {
            failures++;
            long delay = Math.min(30_000, 100L << Math.min(failures, 9));
            LOG.debug("creating a spare mailbox failed: {}", e.toString());
            if (!peer.closed()) {
              peer.timer().schedule(() -> peer.stage().later(t -> {
                refill();
                return null;
              }), delay, TimeUnit.MILLISECONDS);
            }
            return null;
          }
          failures = 0;
          Spare s = new Spare(id, ownerBytes, relay);
          tx.put(StateKeys.spare(id), SpareMailboxRecord.newBuilder().setMailbox(ByteString.copyFrom(id))
              .setOwnerKey(ByteString.copyFrom(ownerBytes)).setRelay(relay).build().toByteArray());
          tx.afterCommit(() -> {
            spares.add(s);
            List<Runnable> ready = new ArrayList<>(waiters);
            waiters.clear();
            ready.forEach(Runnable::run);
          });
          return null;
        });
      });
    } catch (BackchannelException e) {
      owner.close();
      creating--;
      LOG.warn("no link to the home relay for spare mailboxes: {}", e.toString());
    }
  }
}
