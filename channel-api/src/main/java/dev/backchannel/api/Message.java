package dev.backchannel.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * A message received in a {@link Conversation}: the bytes the peer sent, its sequence number
 * (the peer numbers its messages 1, 2, 3… per conversation, so the application can order them
 * and see gaps) and when it was sent and received.
 *
 * <p>Immutable; {@link #payload()} returns a copy. {@link #toString()} never shows the payload.
 *
 * @since 0.1
 */
public final class Message {
  private final String conversation;
  private final long sequence;
  private final Instant sentAt;
  private final Instant receivedAt;
  private final byte[] payload;

  /** Creates a message; copies the payload. */
  public Message(String conversation, long sequence, Instant sentAt, Instant receivedAt, byte[] payload) {
    this.conversation = Objects.requireNonNull(conversation, "conversation");
    this.sequence = sequence;
    this.sentAt = Objects.requireNonNull(sentAt, "sentAt");
    this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
    this.payload = payload.clone();
  }

  /** The name of the conversation (the local name of the contact). */
  public String conversation() {
    return conversation;
  }

  /** The sender's sequence number of this message, from 1. */
  public long sequence() {
    return sequence;
  }

  /** When the sender says it sent the message (the sender's clock). */
  public Instant sentAt() {
    return sentAt;
  }

  /** When this side received it. */
  public Instant receivedAt() {
    return receivedAt;
  }

  /** The payload (a copy). */
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload decoded as UTF-8. */
  public String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "Message[" + conversation + " #" + sequence + ", " + payload.length + " bytes]";
  }
}
