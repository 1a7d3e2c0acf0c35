package dev.backchannel.netty.relay.store;

import dev.backchannel.api.error.StateStoreException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link MailboxStore} that forwards every call, the default methods included, to another
 * store: extend it to observe or change a few calls (counting, recording, injecting faults) and
 * keep the wrapped store's own atomic steps for the rest. A subclass that watches appends
 * overrides both {@link #append} and {@link #appendChecked} (the relay calls the latter). The
 * wrapped store's {@link AppendNotices}, if any, are not forwarded. As thread-safe as the wrapped
 * store.
 *
 * @since 0.2
 */
public abstract class ForwardingMailboxStore implements MailboxStore {
  private final MailboxStore delegate;

  /** Forwards to {@code delegate}. */
  protected ForwardingMailboxStore(MailboxStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The wrapped store. */
  protected final MailboxStore delegate() {
    return delegate;
  }

  @Override
  public boolean createMailbox(MailboxRecord mailbox) throws StateStoreException {
    return delegate.createMailbox(mailbox);
  }

  @Override
  public Optional<MailboxRecord> mailbox(byte[] mailboxId) throws StateStoreException {
    return delegate.mailbox(mailboxId);
  }

  @Override
  public void updateMailbox(MailboxRecord mailbox) throws StateStoreException {
    delegate.updateMailbox(mailbox);
  }

  @Override
  public void deleteMailbox(byte[] mailboxId) throws StateStoreException {
    delegate.deleteMailbox(mailboxId);
  }

  @Override
  public CompletableFuture<Appended> append(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, long maxEnvelopes, long maxBytes) {
    return delegate.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
  }

  @Override
  public CompletableFuture<Appended> appendChecked(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, AppendLimits limits, byte[] provenSenderKey) {
    return delegate.appendChecked(mailboxId, messageId, body, expiresAtMillis, limits, provenSenderKey);
  }

  @Override
  public Optional<MailboxRecord> lock(byte[] mailboxId, byte[] ownerKey, byte[] senderKey)
      throws StateStoreException, StoreRefusedException {
    return delegate.lock(mailboxId, ownerKey, senderKey);
  }

  @Override
  public boolean deleteMailbox(byte[] mailboxId, byte[] ownerKey) throws StateStoreException, StoreRefusedException {
    return delegate.deleteMailbox(mailboxId, ownerKey);
  }

  @Override
  public CompletableFuture<Integer> removeAll(byte[] mailboxId, List<byte[]> messageIds, long tombstoneUntilMillis) {
    return delegate.removeAll(mailboxId, messageIds, tombstoneUntilMillis);
  }

  @Override
  public CompletableFuture<Void> touch(byte[] mailboxId, long idleExpiresAtMillis) {
    return delegate.touch(mailboxId, idleExpiresAtMillis);
  }

  @Override
  public long storedBytes() {
    return delegate.storedBytes();
  }

  @Override
  public List<StoredEnvelope> read(byte[] mailboxId, long fromSequence, int max) throws StateStoreException {
    return delegate.read(mailboxId, fromSequence, max);
  }

  @Override
  public CompletableFuture<Boolean> remove(byte[] mailboxId, byte[] messageId) {
    return delegate.remove(mailboxId, messageId);
  }

  @Override
  public Usage usage(byte[] mailboxId) throws StateStoreException {
    return delegate.usage(mailboxId);
  }

  @Override
  public void putInvitation(byte[] invitationId, byte[] bundle, long expiresAtMillis) throws StateStoreException {
    delegate.putInvitation(invitationId, bundle, expiresAtMillis);
  }

  @Override
  public Optional<byte[]> fetchInvitation(byte[] invitationId, long nowMillis) throws StateStoreException {
    return delegate.fetchInvitation(invitationId, nowMillis);
  }

  @Override
  public int expire(long nowMillis) throws StateStoreException {
    return delegate.expire(nowMillis);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
