package dev.backchannel.examples.demo;

import dev.backchannel.netty.relay.store.ForwardingMailboxStore;
import dev.backchannel.netty.relay.store.MailboxStore;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A mailbox store that notes what the relay stored, to show it beside what the peers read. */
final class RecordingMailboxStore extends ForwardingMailboxStore {
  /** One stored envelope, as the relay saw it. */
  record Seen(String mailbox, int bytes, String firstBytes) {}

  final List<Seen> seen = new CopyOnWriteArrayList<>();

  RecordingMailboxStore(MailboxStore delegate) {
    super(delegate);
  }

  private void note(byte[] mailboxId, byte[] body) {
    seen.add(new Seen(HexFormat.of().formatHex(mailboxId, 0, 4) + "…", body.length,
        HexFormat.of().formatHex(body, 0, Math.min(12, body.length)) + "…"));
  }

  @Override
  public CompletableFuture<Appended> append(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, long maxEnvelopes, long maxBytes) {
    note(mailboxId, body);
    return super.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
  }

  @Override
  public CompletableFuture<Appended> appendChecked(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, AppendLimits limits, byte[] provenSenderKey) {
    note(mailboxId, body);
    return super.appendChecked(mailboxId, messageId, body, expiresAtMillis, limits, provenSenderKey);
  }
}
