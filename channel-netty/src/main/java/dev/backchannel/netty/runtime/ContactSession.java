package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.error.UndeliverableException;
import dev.backchannel.crypto.envelope.EnvelopeSealer;
import dev.backchannel.crypto.ratchet.RatchetState;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.internal.runtime.ContactRecord;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.internal.runtime.Receipt;
import dev.backchannel.netty.internal.runtime.Retire;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One contact's live session: the decoded ratchet state and contact record, kept in memory and
 * written once per batch that changed them ({@link #prepareCommit}). Payloads queued during a
 * batch are sealed at its end; receipts ride on an outgoing message where one exists and otherwise
 * wait a little for one ({@link HeldReceipts}). Stage-confined, except {@link #snapshot()}.
 */
final class ContactSession {
  private static final Logger LOG = LoggerFactory.getLogger(ContactSession.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Room kept in an envelope for a receipt carried with a user message. */
  private static final int RECEIPT_ROOM = 64 * 24 + 16;

  /** A payload waiting for the end of the batch; {@code result} completes once the relay holds it. */
  private record Outgoing(Payload payload, long sequence, CompletableFuture<Long> result) {}

  private final PeerContext peer;
  private final String id;
  private ContactRecord.Builder record;
  private RatchetState session;
  private volatile ContactRecord snapshot;
  private final List<Outgoing> outgoing = new ArrayList<>();
  private final List<Runnable> retireWaiters = new ArrayList<>();
  private HeldReceipts heldReceipts;

  ContactSession(PeerContext peer, String id, ContactRecord stored) throws BackchannelException {
    this.peer = peer;
    this.id = id;
    adopt(stored);
  }

  private void adopt(ContactRecord stored) throws MalformedInputException {
    ContactRecord.Builder b = stored.toBuilder();
    if (!b.getEstablished() && !b.getPeerSenderKey().isEmpty() && !b.getSendMailbox().isEmpty()) {
      b.setEstablished(true); // written by 0.1, which had no such field
    }
    this.session = RatchetState.parse(b.getSession().toByteArray());
    this.heldReceipts = new HeldReceipts(b.getUnsentReceiptsList());
    this.record = b;
    this.snapshot = b.build();
  }

  String id() {
    return id;
  }

  /** The record as of the last batch (any thread). */
  ContactRecord snapshot() {
    return snapshot;
  }

  /** The live record (stage only). */
  ContactRecord.Builder record() {
    return record;
  }

  /** The live ratchet state (stage only). */
  RatchetState session() {
    return session;
  }

  /** Reads the record back from the store after a failed commit. */
  void reload() {
    outgoing.clear();
    try {
      byte[] v = peer.store().get(StateKeys.contact(id)).orElse(null);
      if (v != null) {
        adopt(ContactRecord.parseFrom(v));
      }
    } catch (Exception e) {
      LOG.warn("reloading a contact after a failed commit failed: {}", e.toString());
    }
  }

  /** Runs {@code r} on the stage once the previous receiving mailbox is retired (stage only). */
  void whenPreviousRetired(Runnable r) {
    retireWaiters.add(r);
  }

  /** The previous receiving mailbox was retired (stage, after the commit). */
  void previousRetired() {
    List<Runnable> ready = new ArrayList<>(retireWaiters);
    retireWaiters.clear();
    ready.forEach(Runnable::run);
  }

  /** Queues a payload for the end of the batch; the future completes when the relay holds it. */
  CompletableFuture<Long> queue(StateTransaction tx, Payload payload, long sequence) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    outgoing.add(new Outgoing(payload, sequence, f));
    tx.touch(this);
    return f;
  }

  /** Records a user message received in this batch, to be confirmed by a receipt. */
  void received(StateTransaction tx, long sequence) {
    heldReceipts.add(sequence);
    tx.touch(this);
  }

  /** Seals what the batch queued, adds the receipts, and writes the record into {@code tx}. */
  void prepareCommit(StateTransaction tx) throws BackchannelException {
    if (!record.getRetiringSendMailbox().isEmpty()
        && peer.outbox().pendingForMailbox(record.getRetiringSendMailbox().toByteArray()) == 0) {
      outgoing.add(new Outgoing(Payload.newBuilder().setRetire(Retire.newBuilder()
          .setMailbox(record.getRetiringSendMailbox()).setEnvelopes(record.getSentToRetiring())).build(), 0, null));
      record.clearRetiringSendMailbox().clearSentToRetiring().clearRetiringSendRelay();
    }
    boolean carrier = outgoing.stream().anyMatch(o -> o.payload().hasMessage());
    List<Receipt> receipts = heldReceipts.take(carrier);
    if (heldReceipts.changedSinceWritten()) {
      record.clearUnsentReceipts().addAllUnsentReceipts(heldReceipts.ranges());
    }
    if (heldReceipts.needsTimer()) {
      heldReceipts.timerSet();
      tx.afterCommit(this::sendHeldReceiptsLater);
    }
    int nextReceipt = 0;
    List<Outgoing> items = new ArrayList<>(outgoing);
    outgoing.clear();
    for (Outgoing o : items) {
      Payload p = o.payload();
      if (nextReceipt < receipts.size() && p.hasMessage()
          && p.getSerializedSize() + RECEIPT_ROOM <= dev.backchannel.crypto.envelope.Padding.MAX_PAYLOAD) {
        p = p.toBuilder().setMessage(p.getMessage().toBuilder().setReceipt(receipts.get(nextReceipt++))).build();
      }
      seal(tx, p, o.sequence(), o.result());
    }
    for (; nextReceipt < receipts.size(); nextReceipt++) {
      seal(tx, Payload.newBuilder().setReceipt(receipts.get(nextReceipt)).build(), 0, null);
    }
    record.setSession(ByteString.copyFrom(session.toByteArray()));
    ContactRecord built = record.build();
    snapshot = built;
    tx.put(StateKeys.contact(id), built.toByteArray());
  }

  /** Sends what receipts are still held after their delay, in a batch of their own (after a commit). */
  private void sendHeldReceiptsLater() {
    try {
      peer.timer().schedule(() -> peer.stage().later(tx -> {
        heldReceipts.timerFired();
        if (!heldReceipts.isEmpty() && peer.conversations().byId(id).map(c -> c.session() == this).orElse(false)) {
          tx.touch(this);
        }
        return null;
      }), HeldReceipts.DELAY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // Closing: what is held is in the record and goes with the first batch after a restart.
    }
  }

  /** Whether receipts are held (stage only). */
  boolean holdsReceipts() {
    return !heldReceipts.isEmpty();
  }

  private void seal(StateTransaction tx, Payload payload, long sequence, CompletableFuture<Long> result)
      throws BackchannelException {
    if (record.getSendMailbox().isEmpty() || !session.canSend()) {
      if (result != null) {
        result.completeExceptionally(new UndeliverableException(
            "the conversation with this contact was left unfinished by an older version: make a new invitation"));
      }
      return;
    }
    byte[] mailbox = record.getSendMailbox().toByteArray();
    String relay = record.getSendRelay();
    byte[] body = EnvelopeSealer.sealBody(session, mailbox, payload.toByteArray());
    byte[] mid = new byte[16];
    RANDOM.nextBytes(mid);
    record.setSentToSendMailbox(record.getSentToSendMailbox() + 1);
    OutboxLedger.Entry entry = new OutboxLedger.Entry(mailbox, mid, body, relay, id,
        System.currentTimeMillis(), sequence);
    tx.put(StateKeys.outbox(mid), entry.record());
    RelayLink link = peer.links().get(relay);
    tx.afterCommit(() -> {
      peer.outbox().add(entry);
      CompletableFuture<Void> held = link.send(mailbox, mid, body);
      if (result != null) {
        held.whenComplete((v, e) -> {
          if (e == null) {
            result.complete(sequence);
          } else {
            result.completeExceptionally(undeliverable(e));
          }
        });
      }
    });
  }

  /** A send's failure as the application sees it. */
  static Throwable undeliverable(Throwable e) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (c instanceof RelayRejectedException r) {
      return new UndeliverableException("the relay refused the message for good: " + r.getMessage(), r);
    }
    return c;
  }

  /** Whether the payload of {@code size} bytes fits the outbox (stage only). */
  boolean outboxAdmits(int size) {
    return peer.outbox().admits(size + RatchetState.OVERHEAD);
  }

  @Override
  public String toString() {
    return "ContactSession[" + id + "]";
  }
}
