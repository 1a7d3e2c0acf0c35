package dev.backchannel.netty.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.backchannel.api.error.StateStoreException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Where a {@link RelayLink} keeps envelopes until the relay has durably accepted them. The link
 * puts an entry before it first sends it, removes it when the relay acknowledges it, and sends
 * every pending entry again after each reconnect; the relay stores a retried message id once.
 *
 * <p>The peer runtime backs this with its durable state store, so nothing is lost across a crash;
 * {@link InMemoryOutbox} is the default for tests and short-lived links. Implementations must be
 * thread-safe.
 *
 * @since 0.1
 */
public interface Outbox {
  /** One envelope waiting for the relay's acknowledgement. Immutable. */
  final class Entry {
    private final byte[] mailboxId;
    private final byte[] messageId;
    private final byte[] body;

    /** Creates an entry; copies the arrays. */
    public Entry(byte[] mailboxId, byte[] messageId, byte[] body) {
      this.mailboxId = mailboxId.clone();
      this.messageId = messageId.clone();
      this.body = body.clone();
    }

    /** The destination mailbox (a copy). */
    public byte[] mailboxId() {
      return mailboxId.clone();
    }

    /** The message id (a copy). */
    public byte[] messageId() {
      return messageId.clone();
    }

    /** The sealed body (a copy). */
    public byte[] body() {
      return body.clone();
    }

    /** The destination mailbox, not copied (the link's own frames only: never written to). */
    ByteString mailboxIdView() {
      return UnsafeByteOperations.unsafeWrap(mailboxId);
    }

    /** The message id, not copied (the link's own frames only). */
    ByteString messageIdView() {
      return UnsafeByteOperations.unsafeWrap(messageId);
    }

    /** The sealed body, not copied (the link's own frames only). */
    ByteString bodyView() {
      return UnsafeByteOperations.unsafeWrap(body);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && Arrays.equals(messageId, e.messageId)
          && Arrays.equals(mailboxId, e.mailboxId) && Arrays.equals(body, e.body);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(messageId);
    }

    @Override
    public String toString() {
      return "Outbox.Entry[" + HexFormat.of().formatHex(messageId) + ", " + body.length + " bytes]";
    }
  }

  /**
   * Durably records {@code entry} (replacing one with the same message id).
   *
   * @throws StateStoreException if it cannot be recorded; the send then fails
   */
  void put(Entry entry) throws StateStoreException;

  /** Forgets the entry with {@code messageId} (the relay has it). */
  void remove(byte[] messageId) throws StateStoreException;

  /** Every entry not yet acknowledged, oldest first. */
  List<Entry> pending() throws StateStoreException;
}
