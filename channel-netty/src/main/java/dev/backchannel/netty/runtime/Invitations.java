package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.PendingInvitation;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.invitation.InvitationSecrets;
import dev.backchannel.crypto.prekey.PreKeyBundle;
import dev.backchannel.crypto.prekey.PreKeyStore;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.internal.runtime.InvitationRecord;
import dev.backchannel.netty.internal.runtime.PeerRecord;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The invitations this peer made and has not seen accepted, with the prekeys that back them:
 * making one (the network steps on the caller's thread, the state changes on the stage), the
 * futures of {@link PendingInvitation#accepted()}, and their expiry. Records and prekeys change on
 * the stage only.
 */
final class Invitations {
  static final Duration MAX_VALIDITY = Duration.ofDays(30);
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PeerContext peer;
  private final DeliveryRouterHolder router;
  private PreKeyStore prekeys;
  private final Map<ByteBuffer, InvitationRecord> open = new ConcurrentHashMap<>();
  private final Map<ByteBuffer, CompletableFuture<Conversation>> accepted = new ConcurrentHashMap<>();

  /** Late binding of the router (it needs the responder, which needs this). */
  static final class DeliveryRouterHolder {
    DeliveryRouter router;
  }

  Invitations(PeerContext peer, PreKeyStore prekeys, DeliveryRouterHolder router) {
    this.peer = peer;
    this.prekeys = prekeys;
    this.router = router;
  }

  static byte[] peerRecord(IdentityKeyPair identity, PreKeyStore prekeys) {
    return PeerRecord.newBuilder().setVersion(1)
        .setIdentity(ByteString.copyFrom(identity.toByteArray()))
        .setPrekeys(ByteString.copyFrom(prekeys.toByteArray()))
        .build().toByteArray();
  }

  PreKeyStore prekeys() {
    return prekeys;
  }

  /** Replaces the prekeys after a handshake used some (stage, after the commit). */
  void prekeysUsed(PreKeyStore working) {
    this.prekeys = working;
  }

  boolean isOpen(byte[] mailbox) {
    return open.containsKey(ByteBuffer.wrap(mailbox));
  }

  Optional<InvitationRecord> get(byte[] mailbox) {
    return Optional.ofNullable(open.get(ByteBuffer.wrap(mailbox)));
  }

  boolean nameTaken(String name) {
    return open.values().stream().anyMatch(i -> i.getName().equals(name));
  }

  /** Loads the open invitations, drops the expired ones, and subscribes the rest. */
  void load() throws BackchannelException {
    long now = System.currentTimeMillis();
    for (String k : peer.store().keys(StateKeys.INVITATION_PREFIX)) {
      InvitationRecord r;
      try {
        r = InvitationRecord.parseFrom(peer.store().get(k).orElseThrow());
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("invitation record " + k + " is corrupt");
      }
      if (r.getExpiresAtMillis() <= now) {
        peer.store().commit(Map.of(), java.util.Set.of(k));
        continue;
      }
      peer.links().allow(r.getRelay());
      try (InvitationSecrets s = InvitationSecrets.derive(r.getSecret().toByteArray())) {
        byte[] mailbox = s.mailboxId();
        open.put(ByteBuffer.wrap(mailbox), r);
        accepted.put(ByteBuffer.wrap(mailbox), new CompletableFuture<>());
        scheduleExpiry(mailbox, r.getExpiresAtMillis());
        router.router.subscribe(peer.links().get(r.getRelay()), mailbox, r.getMailboxOwnerKey().toByteArray());
      }
    }
  }

  /** Makes an invitation named {@code name} (caller's thread; waits on the network). */
  PendingInvitation create(String name, Duration validity, NameCheck names) throws BackchannelException {
    return create(name, validity, names, null);
  }

  /**
   * Makes an invitation named {@code name}; with a {@code binding}, it answers that introduction
   * only (its handshake context binds the introduction and only the expected identity is taken).
   */
  PendingInvitation create(String name, Duration validity, NameCheck names, IntroductionBinding binding)
      throws BackchannelException {
    if (validity == null || validity.isNegative() || validity.isZero() || validity.compareTo(MAX_VALIDITY) > 0) {
      throw new MalformedInputException("invitation validity must be between 1 second and 30 days");
    }
    Instant expiresAt = Instant.ofEpochSecond(Instant.now().plus(validity).getEpochSecond());
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    try (InvitationSecrets s = InvitationSecrets.derive(secret);
        SecretBytes owner = Ed25519.generatePrivateKey()) {
      byte[] mailbox = s.mailboxId();
      String home = peer.links().home().toString();
      InvitationRecord.Builder rb = InvitationRecord.newBuilder().setVersion(1)
          .setSecret(ByteString.copyFrom(secret)).setName(name)
          .setExpiresAtMillis(expiresAt.toEpochMilli())
          .setMailboxOwnerKey(ByteString.copyFrom(owner.toByteArray(ACCESS)))
          .setRelay(home);
      if (binding != null) {
        rb.setIntroductionId(ByteString.copyFrom(binding.id()))
            .setIntroductionKey(binding.requestKey())
            .setIntroducerFingerprint(ByteString.copyFrom(binding.introducerFingerprint()))
            .setExpectedIdentity(ByteString.copyFrom(binding.expected().encoded()))
            .setIntroducerName(binding.introducerName());
      }
      InvitationRecord r = rb.build();
      CompletableFuture<Conversation> future = new CompletableFuture<>();
      PreKeyBundle bundle = peer.stage().call(tx -> {
        names.check(name);
        PreKeyBundle b = prekeys.newBundle(peer.identity());
        tx.put(StateKeys.PEER, peerRecord(peer.identity(), prekeys));
        tx.put(StateKeys.invitation(mailbox), r.toByteArray());
        tx.afterCommit(() -> {
          open.put(ByteBuffer.wrap(mailbox), r);
          accepted.put(ByteBuffer.wrap(mailbox), future);
        });
        return b;
      });
      RelayLink link = peer.links().get(peer.links().home());
      try {
        await(link.createMailbox(mailbox, owner));
        router.router.subscribe(link, mailbox, owner.toByteArray(ACCESS));
        await(link.putInvitation(s.bundleId(), s.sealBundle(bundle.toByteArray()), expiresAt));
      } catch (BackchannelException e) {
        withdraw(mailbox);
        throw e;
      }
      scheduleExpiry(mailbox, expiresAt.toEpochMilli());
      return new PendingInvitation(Invitation.of(peer.links().home(), peer.identity().publicKey().fingerprint(),
          secret, expiresAt), future);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** Checks a new contact or invitation name on the stage. */
  interface NameCheck {
    void check(String name) throws BackchannelException;
  }

  /** Takes an invitation back: its record goes, and its mailbox at the relay (any thread). */
  /**
   * Withdraws the invitation of {@code mailbox} inside {@code tx} (stage): its record and its name
   * are gone once {@code tx} commits (restored if it fails), and the relay is told afterwards.
   */
  void withdraw(StateTransaction tx, byte[] mailbox) {
    ByteBuffer key = ByteBuffer.wrap(mailbox.clone());
    InvitationRecord r = open.remove(key);
    tx.delete(StateKeys.invitation(mailbox));
    tx.onFailure(() -> {
      if (r != null) {
        open.put(key, r);
      }
    });
    tx.afterCommit(() -> accepted.remove(key));
    if (r != null) {
      tx.afterCommit(() -> {
        try (SecretBytes k = SecretBytes.copyOf(r.getMailboxOwnerKey().toByteArray(), ACCESS)) {
          peer.links().get(r.getRelay()).deleteMailbox(mailbox, k);
        } catch (BackchannelException e) {
          // the relay expires it too
        }
      });
    }
  }

  void withdraw(byte[] mailbox) {
    peer.stage().later(tx -> {
      tx.delete(StateKeys.invitation(mailbox));
      tx.afterCommit(() -> {
        InvitationRecord r = open.remove(ByteBuffer.wrap(mailbox));
        accepted.remove(ByteBuffer.wrap(mailbox));
        if (r != null) {
          try (SecretBytes k = SecretBytes.copyOf(r.getMailboxOwnerKey().toByteArray(), ACCESS)) {
            peer.links().get(r.getRelay()).deleteMailbox(mailbox, k);
          } catch (BackchannelException e) {
            // the relay expires it too
          }
        }
      });
      return null;
    });
  }

  /** The open invitations that answer an introduction: mailbox to the request's state key. */
  Map<byte[], String> introductionInvitations() {
    Map<byte[], String> out = new java.util.HashMap<>();
    open.forEach((m, r) -> {
      if (!r.getIntroductionKey().isEmpty()) {
        out.put(m.array().clone(), r.getIntroductionKey());
      }
    });
    return out;
  }

  private void scheduleExpiry(byte[] mailbox, long expiresAtMillis) {
    long delay = Math.max(0, expiresAtMillis - System.currentTimeMillis());
    peer.timer().schedule(() -> peer.stage().later(tx -> {
      InvitationRecord r = open.get(ByteBuffer.wrap(mailbox));
      if (r == null) {
        return null;
      }
      tx.delete(StateKeys.invitation(mailbox));
      tx.afterCommit(() -> {
        open.remove(ByteBuffer.wrap(mailbox));
        CompletableFuture<Conversation> f = accepted.remove(ByteBuffer.wrap(mailbox));
        if (f != null) {
          peer.callbacks().execute(() -> f.completeExceptionally(new InvalidInvitationException(
              InvalidInvitationException.Reason.EXPIRED, "nobody accepted the invitation before it expired")));
        }
        try (SecretBytes k = SecretBytes.copyOf(r.getMailboxOwnerKey().toByteArray(), ACCESS)) {
          peer.links().get(r.getRelay()).deleteMailbox(mailbox, k);
        } catch (BackchannelException e) {
          // the relay expires it too
        }
      });
      return null;
    }), delay, TimeUnit.MILLISECONDS);
  }

  /** The invitation at {@code mailbox} was accepted (stage, in the handshake's transaction). */
  void used(StateTransaction tx, byte[] mailbox, RuntimeConversation c) {
    tx.delete(StateKeys.invitation(mailbox));
    InvitationRecord r = open.remove(ByteBuffer.wrap(mailbox)); // later envelopes of this batch go to c
    tx.onFailure(() -> open.put(ByteBuffer.wrap(mailbox), r));
    tx.afterCommit(() -> {
      CompletableFuture<Conversation> f = accepted.remove(ByteBuffer.wrap(mailbox));
      if (f != null) {
        peer.callbacks().execute(() -> f.complete(c));
      }
    });
  }

  /** Fails every waiting future: the peer is closing. */
  void closing() {
    for (CompletableFuture<Conversation> f : accepted.values()) {
      peer.callbacks().execute(() -> f.completeExceptionally(new StateStoreException("peer is closed")));
    }
    accepted.clear();
  }

  <T> T await(CompletableFuture<T> f) throws BackchannelException {
    return Network.await(f, peer.config().networkTimeout());
  }
}
