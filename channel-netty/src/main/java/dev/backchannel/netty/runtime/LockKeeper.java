package dev.backchannel.netty.runtime;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.internal.runtime.ContactRecord;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Locks a contact's receiving mailboxes to the contact's sender key, retrying with capped
 * backoff until the relay confirms, and then clears the record's pending flag. The flags are in
 * the contact record, so a lock not yet confirmed is retried after a restart too.
 */
final class LockKeeper {
  private static final Logger LOG = LoggerFactory.getLogger(LockKeeper.class);
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();

  private final PeerContext peer;

  LockKeeper(PeerContext peer) {
    this.peer = peer;
  }

  /** Issues the locks {@code c}'s record marks pending (stage only; call after its commit). */
  void ensure(RuntimeConversation c) {
    ContactRecord r = c.session().snapshot();
    if (r.getPeerSenderKey().isEmpty()) {
      return;
    }
    if (r.getLockPending()) {
      lock(c, r.getReceiveRelay(), r.getReceiveMailbox().toByteArray(), r.getReceiveOwnerKey().toByteArray(),
          r.getPeerSenderKey().toByteArray(), false, 0);
    }
    if (r.getPreviousLockPending() && !r.getPreviousReceiveMailbox().isEmpty()) {
      lock(c, r.getPreviousReceiveRelay(), r.getPreviousReceiveMailbox().toByteArray(),
          r.getPreviousReceiveOwnerKey().toByteArray(), r.getPeerSenderKey().toByteArray(), true, 0);
    }
  }

  private void lock(RuntimeConversation c, String relay, byte[] mailbox, byte[] owner, byte[] sender,
      boolean previous, int attempt) {
    if (peer.closed()) {
      return;
    }
    try (SecretBytes key = SecretBytes.copyOf(owner, ACCESS)) {
      peer.links().get(relay).lock(mailbox, key, sender).whenComplete((v, e) -> {
        boolean gone = e instanceof RelayRejectedException r && !r.code().retryable();
        if (e == null || gone) {
          if (gone) {
            LOG.debug("a mailbox to lock is gone or refused: {}", e.toString());
          }
          peer.stage().later(tx -> {
            ContactRecord.Builder b = c.session().record();
            boolean same = Arrays.equals(mailbox,
                (previous ? b.getPreviousReceiveMailbox() : b.getReceiveMailbox()).toByteArray());
            if (same) {
              if (previous) {
                b.setPreviousLockPending(false);
              } else {
                b.setLockPending(false);
              }
              tx.touch(c.session());
            }
            return null;
          });
        } else {
          long delay = Math.min(30_000, 200L << Math.min(attempt, 8));
          peer.timer().schedule(() -> lock(c, relay, mailbox, owner, sender, previous, attempt + 1),
              delay, TimeUnit.MILLISECONDS);
        }
      });
    } catch (BackchannelException | RuntimeException e) {
      LOG.warn("locking a mailbox failed: {}", e.toString());
    }
  }
}
