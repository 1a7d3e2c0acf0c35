package dev.backchannel.netty.client;

import com.google.protobuf.ByteString;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.internal.auth.AdmissionProof;
import dev.backchannel.netty.internal.auth.CommandAuth;
import dev.backchannel.netty.internal.wire.Ack;
import dev.backchannel.netty.internal.wire.AuthorizeSender;
import dev.backchannel.netty.internal.wire.CreateMailbox;
import dev.backchannel.netty.internal.wire.DeleteMailbox;
import dev.backchannel.netty.internal.wire.FetchInvitation;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.LockMailbox;
import dev.backchannel.netty.internal.wire.Ping;
import dev.backchannel.netty.internal.wire.PutInvitation;
import dev.backchannel.netty.internal.wire.Send;
import dev.backchannel.netty.internal.wire.Subscribe;
import java.time.Instant;
import java.util.function.Function;

/**
 * Builds the link's request frames. Each command is a function from the connection's challenge
 * to the frame, since signatures and admission proofs are bound to the connection the request
 * goes out on (docs/PROTOCOL.md, "Command signatures", "Admission"); the function runs on the
 * loop when the request is written.
 *
 * <p>The factory methods copy their arrays and keys when called, so a caller's later changes do
 * not reach the frame; they throw what {@link SecretBytes#copy()} and {@link Ed25519} throw for a
 * closed key. Keys passed to {@link #subscribe} and {@link #authorizeSender} are used as they are
 * (their owners close them). Holds the relay's admission secret until {@link #close()}.
 */
final class RelayCommands {
  private static final InsecureSecretAccess ADMISSION_ACCESS = InsecureSecretAccess.get();
  /** The relay's admission secret, or null: proves, per connection, the right to create. */
  private final SecretBytes admissionSecret;

  /** @param admissionSecret the link's own copy, or null; closed by {@link #close()} */
  RelayCommands(SecretBytes admissionSecret) {
    this.admissionSecret = admissionSecret;
  }

  Function<byte[], Frame.Builder> createMailbox(byte[] mailboxId, SecretBytes ownerKey) {
    byte[] id = mailboxId.clone();
    byte[] pub = Ed25519.publicKey(ownerKey);
    SecretBytes key = ownerKey.copy();
    return c -> Frame.newBuilder().setCreateMailbox(CreateMailbox.newBuilder()
        .setMailboxId(ByteString.copyFrom(id))
        .setOwnerKey(ByteString.copyFrom(pub))
        .setSignature(ByteString.copyFrom(sign(key, CommandAuth.CREATE, c, id, null)))
        .setAdmission(admission(c)));
  }

  Function<byte[], Frame.Builder> subscribe(byte[] mailboxId, SecretBytes ownerKey) {
    return c -> Frame.newBuilder().setSubscribe(Subscribe.newBuilder()
        .setMailboxId(ByteString.copyFrom(mailboxId))
        .setSignature(ByteString.copyFrom(
            sign(ownerKey, CommandAuth.SUBSCRIBE, c, mailboxId, null))));
  }

  /** One acknowledgement, answered on its own. */
  Function<byte[], Frame.Builder> ack(byte[] mailboxId, byte[] messageId) {
    byte[] id = mailboxId.clone();
    byte[] mid = messageId.clone();
    // Authorised by this connection's subscription to the mailbox: no signature.
    return c -> Frame.newBuilder().setAck(Ack.newBuilder()
        .setMailboxId(ByteString.copyFrom(id))
        .setMessageId(ByteString.copyFrom(mid)));
  }

  /** A batch of acknowledgements of one mailbox (at most {@link AckBatcher#MAX_IDS}). */
  Function<byte[], Frame.Builder> acks(AckBatcher.Batch b) {
    Ack.Builder a = Ack.newBuilder().setMailboxId(ByteString.copyFrom(b.mailboxId()))
        .setMessageId(ByteString.copyFrom(b.messageIds().get(0)));
    for (int i = 1; i < b.messageIds().size(); i++) {
      a.addMoreMessageIds(ByteString.copyFrom(b.messageIds().get(i)));
    }
    Frame.Builder frame = Frame.newBuilder().setAck(a);
    return c -> frame;
  }

  Function<byte[], Frame.Builder> lock(byte[] mailboxId, SecretBytes ownerKey, byte[] senderPublicKey) {
    byte[] id = mailboxId.clone();
    byte[] sender = senderPublicKey.clone();
    SecretBytes key = ownerKey.copy();
    return c -> Frame.newBuilder().setLockMailbox(LockMailbox.newBuilder()
        .setMailboxId(ByteString.copyFrom(id))
        .setSenderKey(ByteString.copyFrom(sender))
        .setSignature(ByteString.copyFrom(sign(key, CommandAuth.LOCK, c, id, sender))));
  }

  Function<byte[], Frame.Builder> deleteMailbox(byte[] mailboxId, SecretBytes ownerKey) {
    byte[] id = mailboxId.clone();
    SecretBytes key = ownerKey.copy();
    return c -> Frame.newBuilder().setDeleteMailbox(DeleteMailbox.newBuilder()
        .setMailboxId(ByteString.copyFrom(id))
        .setSignature(ByteString.copyFrom(sign(key, CommandAuth.DELETE, c, id, null))));
  }

  Function<byte[], Frame.Builder> authorizeSender(byte[] mailboxId, SecretBytes senderKey) {
    return c -> {
      byte[] pub = Ed25519.publicKey(senderKey);
      return Frame.newBuilder().setAuthorizeSender(AuthorizeSender.newBuilder()
          .setMailboxId(ByteString.copyFrom(mailboxId))
          .setSenderKey(ByteString.copyFrom(pub))
          .setSignature(ByteString.copyFrom(sign(senderKey, CommandAuth.AUTHORIZE_SENDER, c, mailboxId, pub))));
    };
  }

  /**
   * A send of {@code e}, signed with {@code senderKey} unless it is null (no key, or this
   * connection has authorized the sender).
   */
  Function<byte[], Frame.Builder> send(Outbox.Entry e, SecretBytes senderKey) {
    // The entry is immutable and its arrays are never handed out: the frame reads them in place.
    return c -> {
      Send.Builder s = Send.newBuilder()
          .setMailboxId(e.mailboxIdView())
          .setMessageId(e.messageIdView())
          .setBody(e.bodyView())
          .setBatchOk(true); // the tracker takes Oks batched by the relay (Ok.more_request_ids)
      if (senderKey != null) {
        byte[] id = e.mailboxId();
        s.setSenderKey(ByteString.copyFrom(Ed25519.publicKey(senderKey)))
            .setSenderSignature(ByteString.copyFrom(
                sign(senderKey, CommandAuth.SEND, c, id, CommandAuth.sendExtra(e.messageId(), e.body()))));
      }
      return Frame.newBuilder().setSend(s);
    };
  }

  Function<byte[], Frame.Builder> putInvitation(byte[] invitationId, byte[] bundle, Instant expiresAt) {
    byte[] id = invitationId.clone();
    byte[] b = bundle.clone();
    return c -> Frame.newBuilder().setPutInvitation(PutInvitation.newBuilder()
        .setInvitationId(ByteString.copyFrom(id))
        .setBundle(ByteString.copyFrom(b))
        .setExpiresAt(expiresAt.getEpochSecond())
        .setAdmission(admission(c)));
  }

  Function<byte[], Frame.Builder> fetchInvitation(byte[] invitationId) {
    byte[] id = invitationId.clone();
    return c -> Frame.newBuilder().setFetchInvitation(FetchInvitation.newBuilder()
        .setInvitationId(ByteString.copyFrom(id)));
  }

  Function<byte[], Frame.Builder> ping() {
    return c -> Frame.newBuilder().setPing(Ping.getDefaultInstance());
  }

  /** The admission proof for this connection's challenge, or empty without a secret. */
  private ByteString admission(byte[] challenge) {
    if (admissionSecret == null) {
      return ByteString.EMPTY;
    }
    return ByteString.copyFrom(AdmissionProof.of(admissionSecret.unsafeBytes(ADMISSION_ACCESS), challenge));
  }

  private static byte[] sign(SecretBytes key, int command, byte[] challenge, byte[] mailboxId, byte[] extra) {
    return Ed25519.sign(key, CommandAuth.message(command, challenge, mailboxId, extra));
  }

  /** Forgets the admission secret (on the loop, as the link closes). */
  void close() {
    if (admissionSecret != null) {
      admissionSecret.close();
    }
  }
}
