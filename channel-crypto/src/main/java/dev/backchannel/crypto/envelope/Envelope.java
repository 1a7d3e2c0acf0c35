package dev.backchannel.crypto.envelope;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.internal.proto.EnvelopeProto;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The relay-visible form of one message: a 32-byte mailbox id and an opaque body whose length is
 * one of {@link Padding#BUCKETS}. Nothing else: no sender, no type, no counter.
 *
 * <p>Immutable (arrays are copied in and out); {@link #toString()} shows a truncated mailbox id
 * and the body length only.
 *
 * @since 0.1
 */
public final class Envelope {
  /** Current serialization version. */
  public static final int VERSION = 1;
  /** Mailbox id length. */
  public static final int MAILBOX_ID_LENGTH = 32;
  /** Largest serialized envelope accepted by {@link #parse}. */
  public static final int MAX_ENCODED_LENGTH = Padding.BUCKETS[Padding.BUCKETS.length - 1] + 64;

  private final byte[] mailboxId;
  private final byte[] body;

  /**
   * Makes an envelope.
   *
   * @throws MalformedInputException if the mailbox id is not 32 bytes or the body is not one of
   *     the bucket sizes
   */
  public Envelope(byte[] mailboxId, byte[] body) throws MalformedInputException {
    if (mailboxId == null || mailboxId.length != MAILBOX_ID_LENGTH) {
      throw new MalformedInputException("envelope mailbox id must be 32 bytes");
    }
    if (body == null || Arrays.stream(Padding.BUCKETS).noneMatch(b -> b == body.length)) {
      throw new MalformedInputException(
          "envelope body must be one of the bucket sizes, got "
              + (body == null ? "none" : body.length + " bytes"));
    }
    this.mailboxId = mailboxId.clone();
    this.body = body.clone();
  }

  /** The mailbox id (a copy). */
  public byte[] mailboxId() {
    return mailboxId.clone();
  }

  /** The sealed body (a copy). */
  public byte[] body() {
    return body.clone();
  }

  /** The body's length in bytes. */
  public int bodyLength() {
    return body.length;
  }

  /** The envelope's serialized form ({@code EnvelopeProto}, version 1). */
  public byte[] toByteArray() {
    return EnvelopeProto.newBuilder()
        .setVersion(VERSION)
        .setMailboxId(ByteString.copyFrom(mailboxId))
        .setBody(ByteString.copyFrom(body))
        .build()
        .toByteArray();
  }

  /**
   * Parses a serialized envelope.
   *
   * @throws MalformedInputException on any input that is not a valid version-1 envelope
   */
  public static Envelope parse(byte[] bytes) throws MalformedInputException {
    if (bytes == null || bytes.length == 0 || bytes.length > MAX_ENCODED_LENGTH) {
      throw new MalformedInputException("envelope is empty or longer than " + MAX_ENCODED_LENGTH);
    }
    EnvelopeProto p;
    try {
      p = EnvelopeProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new MalformedInputException("envelope is not a valid encoding");
    }
    if (p.getVersion() != VERSION) {
      throw new MalformedInputException("envelope has unsupported version " + p.getVersion());
    }
    return new Envelope(p.getMailboxId().toByteArray(), p.getBody().toByteArray());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Envelope e
        && Arrays.equals(mailboxId, e.mailboxId)
        && Arrays.equals(body, e.body);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mailboxId) + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "Envelope[mailbox=" + HexFormat.of().formatHex(mailboxId, 0, 4) + "…, body="
        + body.length + " bytes]";
  }
}
