package dev.backchannel.examples.demo;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A mailbox store that notes what the relay stored, to show it beside what the peers read. */
final class RecordingMailboxStore implements MailboxStore {
  /** One stored envelope, as the relay saw it. */
  record Seen(String mailbox, int bytes, String firstBytes) {}

  private final MailboxStore delegate;
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  RecordingMailboxStore(MailboxStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableFuture<Appended> append(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, long maxEnvelopes, long maxBytes) {
    seen.add(new Seen(HexFormat.of().formatHex(mailboxId, 0, 4) + "…", body.length,
        HexFormat.of().formatHex(body, 0, Math.min(12, body.length)) + "…"));
    return delegate.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
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
    seen.add(new Seen("bundle " + HexFormat.of().formatHex(invitationId, 0, 4) + "…", bundle.length,
        HexFormat.of().formatHex(bundle, 0, Math.min(12, bundle.length)) + "…"));
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
