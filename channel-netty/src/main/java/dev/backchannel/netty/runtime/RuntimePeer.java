package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.PeerConfig;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.DuplicateMessageException;
import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.InvalidInvitationException.Reason;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.error.UnknownSessionException;
import dev.backchannel.api.spi.StateStore;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.envelope.Envelope;
import dev.backchannel.crypto.envelope.EnvelopeSealer;
import dev.backchannel.crypto.envelope.Padding;
import dev.backchannel.crypto.handshake.SessionStart;
import dev.backchannel.crypto.invitation.InvitationSecrets;
import dev.backchannel.crypto.prekey.PreKeyBundle;
import dev.backchannel.crypto.prekey.PreKeyStore;
import dev.backchannel.crypto.ratchet.DecryptedMessage;
import dev.backchannel.crypto.ratchet.RatchetState;
import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.internal.runtime.ContactRecord;
import dev.backchannel.netty.internal.runtime.InboxRecord;
import dev.backchannel.netty.internal.runtime.InvitationRecord;
import dev.backchannel.netty.internal.runtime.Payload;
import dev.backchannel.netty.internal.runtime.PeerRecord;
import dev.backchannel.netty.internal.runtime.Receipt;
import dev.backchannel.netty.internal.runtime.Setup;
import dev.backchannel.netty.internal.runtime.UserMessage;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime behind {@link Peer}: crypto, relay link and state store wired together. Every
 * state change and every delivery runs on one serial executor, so each contact's session is
 * changed by one thread at a time; network waits happen there too, never on an event loop.
 */
final class RuntimePeer implements Peer {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimePeer.class);
  static final Duration MAX_INVITATION_VALIDITY = Duration.ofDays(30);
  private static final Duration NETWORK_WAIT = Duration.ofSeconds(30);
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PEER_KEY = "peer";
  private static final String CONTACT_PREFIX = "contact/";
  private static final String INVITATION_PREFIX = "invitation/";
  private static final String INBOX_PREFIX = "inbox/";

  private final PeerConfig config;
  private final StateStore store;
  private final ExecutorService serial;
  private final ExecutorService linkCallbacks;
  private final ExecutorService ownCallbacks;
  private final Executor callbacks;
  private final RelayAddress home;
  private final Map<RelayAddress, RelayLink> links = new java.util.concurrent.ConcurrentHashMap<>();
  private final IdentityKeyPair identity;
  private PreKeyStore prekeys;
  private final Map<String, RuntimeConversation> conversations = new LinkedHashMap<>();
  private final Map<ByteBuffer, RuntimeConversation> byMailbox = new HashMap<>();
  private final Map<ByteBuffer, InvitationRecord> invitations = new HashMap<>();
  private volatile Consumer<Conversation> conversationListener;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile boolean closed;

  private RuntimePeer(PeerConfig config, StateStore store, IdentityKeyPair identity, PreKeyStore prekeys)
      throws BackchannelException {
    this.config = config;
    this.store = store;
    this.identity = identity;
    this.prekeys = prekeys;
    this.serial = Executors.newSingleThreadExecutor(named("backchannel-peer"));
    this.linkCallbacks = Executors.newSingleThreadExecutor(named("backchannel-peer-link"));
    if (config.callbackExecutor().isPresent()) {
      this.ownCallbacks = null;
      this.callbacks = config.callbackExecutor().get();
    } else {
      this.ownCallbacks = Executors.newSingleThreadExecutor(named("backchannel-peer-callbacks"));
      this.callbacks = ownCallbacks;
    }
    this.home = config.relay();
    for (RelayAddress r : config.relays()) {
      link(r);
    }
  }

  /** The link to {@code relay}, opened on first use. */
  private RelayLink link(RelayAddress relay) throws BackchannelException {
    RelayLink l = links.get(relay);
    if (l == null) {
      l = RelayLink.builder(relay)
          .callbackExecutor(linkCallbacks)
          .outbox(new StateOutbox(store, relay.toString(), relay.equals(home)))
          .build();
      links.put(relay, l);
    }
    return l;
  }

  /** The link to the relay written as {@code relay}; empty means the home relay. */
  private RelayLink link(String relay) throws BackchannelException {
    return relay.isEmpty() ? link(home) : link(RelayAddress.parse(relay));
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Opens the state (creating the identity on first use), connects and resubscribes. */
  static RuntimePeer open(PeerConfig config, StateStore store) throws BackchannelException {
    IdentityKeyPair identity;
    PreKeyStore prekeys;
    Optional<byte[]> peer = store.get(PEER_KEY);
    if (peer.isPresent()) {
      try {
        PeerRecord r = PeerRecord.parseFrom(peer.get());
        identity = IdentityKeyPair.parse(r.getIdentity().toByteArray());
        prekeys = PreKeyStore.parse(r.getPrekeys().toByteArray());
      } catch (InvalidProtocolBufferException | MalformedInputException e) {
        throw new StateStoreException("the peer record is corrupt");
      }
    } else {
      identity = IdentityKeyPair.generate();
      prekeys = PreKeyStore.generate(identity);
      store.commit(Map.of(PEER_KEY, peerRecord(identity, prekeys)), Set.of());
    }
    RuntimePeer p = new RuntimePeer(config, store, identity, prekeys);
    try {
      p.call(p::load);
    } catch (BackchannelException | RuntimeException e) {
      p.close();
      throw e;
    }
    return p;
  }

  private static byte[] peerRecord(IdentityKeyPair identity, PreKeyStore prekeys) {
    return PeerRecord.newBuilder().setVersion(1)
        .setIdentity(ByteString.copyFrom(identity.toByteArray()))
        .setPrekeys(ByteString.copyFrom(prekeys.toByteArray()))
        .build().toByteArray();
  }

  private Void load() throws BackchannelException {
    List<RuntimeConversation> loaded = new ArrayList<>();
    for (String k : store.keys(CONTACT_PREFIX)) {
      ContactRecord r = parseContact(store.get(k).orElseThrow());
      loaded.add(new RuntimeConversation(this, k.substring(CONTACT_PREFIX.length()), r));
    }
    loaded.sort((a, b) -> Long.compare(a.record().getOrder(), b.record().getOrder()));
    for (RuntimeConversation c : loaded) {
      register(c);
      subscribe(link(c.record().getReceiveRelay()), c.record().getReceiveMailbox().toByteArray(),
          c.record().getReceiveOwnerKey().toByteArray());
      if (!c.record().getPreviousReceiveMailbox().isEmpty()) {
        byMailbox.put(ByteBuffer.wrap(c.record().getPreviousReceiveMailbox().toByteArray()), c);
        subscribe(link(c.record().getPreviousReceiveRelay()), c.record().getPreviousReceiveMailbox().toByteArray(),
            c.record().getPreviousReceiveOwnerKey().toByteArray());
      }
      if (!c.record().getSendMailbox().isEmpty()) {
        useSenderKey(c.record());
      }
    }
    long now = System.currentTimeMillis();
    for (String k : store.keys(INVITATION_PREFIX)) {
      InvitationRecord r;
      try {
        r = InvitationRecord.parseFrom(store.get(k).orElseThrow());
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("invitation record " + k + " is corrupt");
      }
      if (r.getExpiresAtMillis() <= now) {
        store.commit(Map.of(), Set.of(k));
        continue;
      }
      try (InvitationSecrets s = InvitationSecrets.derive(r.getSecret().toByteArray())) {
        invitations.put(ByteBuffer.wrap(s.mailboxId()), r);
        subscribe(link(r.getRelay()), s.mailboxId(), r.getMailboxOwnerKey().toByteArray());
      }
    }
    return null;
  }

  private void register(RuntimeConversation c) {
    conversations.put(c.name(), c);
    byMailbox.put(ByteBuffer.wrap(c.record().getReceiveMailbox().toByteArray()), c);
  }

  private void useSenderKey(ContactRecord r) throws BackchannelException {
    try (SecretBytes k = SecretBytes.copyOf(r.getSenderKey().toByteArray(), ACCESS)) {
      link(r.getSendRelay()).useSenderKey(r.getSendMailbox().toByteArray(), k);
    }
  }

  /** Subscribes (asynchronously; the link re-subscribes after reconnects). */
  private void subscribe(RelayLink link, byte[] mailbox, byte[] ownerKey) {
    try (SecretBytes k = SecretBytes.copyOf(ownerKey, ACCESS)) {
      link.subscribe(mailbox, k, d -> serial.execute(() -> onDelivery(link, d))).whenComplete((v, e) -> {
        if (e != null && !closed) {
          LOG.warn("subscribing to a mailbox failed: {}", e.toString());
        }
      });
    }
  }

  // ------------------------------------------------------------------ serial helpers

  /** Runs {@code task} on the serial executor and waits for it. */
  <T> T call(Callable<T> task) throws BackchannelException {
    if (closed) {
      throw new StateStoreException("peer is closed");
    }
    try {
      return serial.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateStoreException("interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof BackchannelException b) {
        throw b;
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new StateStoreException("peer operation failed", c);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      throw new StateStoreException("peer is closed");
    }
  }

  void runSerial(Runnable r) {
    try {
      serial.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  Executor callbacks() {
    return callbacks;
  }

  /** Waits for a network future, mapping failures to our typed errors. */
  private static <T> T await(CompletableFuture<T> f) throws BackchannelException {
    try {
      return f.get(NETWORK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RelayUnavailableException("interrupted while waiting for the relay");
    } catch (TimeoutException e) {
      throw new RelayUnavailableException("the relay did not answer within " + NETWORK_WAIT.toSeconds() + " s");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof BackchannelException b) {
        throw b;
      }
      throw new RelayUnavailableException("relay request failed: " + e.getCause());
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static ContactRecord parseContact(byte[] bytes) throws StateStoreException {
    try {
      return ContactRecord.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new StateStoreException("contact record is corrupt");
    }
  }

  private void checkName(String name) throws BackchannelException {
    if (name == null || name.isBlank() || name.length() > 64 || name.chars().anyMatch(Character::isISOControl)) {
      throw new MalformedInputException("a contact name must be 1..64 printable characters");
    }
    if (conversations.containsKey(name)
        || invitations.values().stream().anyMatch(i -> i.getName().equals(name))) {
      throw new MalformedInputException("a contact or invitation named '" + name + "' already exists");
    }
  }

  // ------------------------------------------------------------------ invitations

  @Override
  public Invitation createInvitation(String name, Duration validity) throws BackchannelException {
    if (validity == null || validity.isNegative() || validity.isZero()
        || validity.compareTo(MAX_INVITATION_VALIDITY) > 0) {
      throw new MalformedInputException("invitation validity must be between 1 second and 30 days");
    }
    return call(() -> {
      checkName(name);
      Instant expiresAt = Instant.ofEpochSecond(Instant.now().plus(validity).getEpochSecond());
      byte[] secret = random(32);
      try (InvitationSecrets s = InvitationSecrets.derive(secret);
          SecretBytes owner = Ed25519.generatePrivateKey()) {
        PreKeyBundle bundle = prekeys.newBundle(identity);
        InvitationRecord r = InvitationRecord.newBuilder().setVersion(1)
            .setSecret(ByteString.copyFrom(secret)).setName(name)
            .setExpiresAtMillis(expiresAt.toEpochMilli())
            .setMailboxOwnerKey(ByteString.copyFrom(owner.toByteArray(ACCESS)))
            .setRelay(home.toString()).build();
        store.commit(Map.of(PEER_KEY, peerRecord(identity, prekeys),
            INVITATION_PREFIX + HexFormat.of().formatHex(s.mailboxId()), r.toByteArray()), Set.of());
        invitations.put(ByteBuffer.wrap(s.mailboxId()), r);
        RelayLink link = link(home);
        await(link.createMailbox(s.mailboxId(), owner));
        subscribe(link, s.mailboxId(), owner.toByteArray(ACCESS));
        await(link.putInvitation(s.bundleId(), s.sealBundle(bundle.toByteArray()), expiresAt));
        return Invitation.of(home, identity.publicKey().fingerprint(), secret, expiresAt);
      } finally {
        java.util.Arrays.fill(secret, (byte) 0);
      }
    });
  }

  @Override
  public Conversation accept(Invitation invitation, String name) throws BackchannelException {
    return call(() -> {
      checkName(name);
      if (invitation.isExpired(Instant.now())) {
        throw new InvalidInvitationException(Reason.EXPIRED,
            "the invitation expired at " + invitation.expiresAt() + ": ask for a new one");
      }
      if (identity.publicKey().hasFingerprint(invitation.inviterFingerprint())) {
        throw new InvalidInvitationException(Reason.MISMATCH, "this is your own invitation");
      }
      byte[] secret = invitation.secret();
      try (InvitationSecrets s = InvitationSecrets.derive(secret);
          SecretBytes owner = Ed25519.generatePrivateKey();
          SecretBytes senderKey = Ed25519.generatePrivateKey()) {
        RelayLink theirs = link(invitation.relay());
        RelayLink mine = link(home);
        byte[] sealed;
        try {
          sealed = await(theirs.fetchInvitation(s.bundleId()));
        } catch (RelayRejectedException e) {
          if (e.code() == RelayErrorCode.NO_SUCH_MAILBOX) {
            throw new InvalidInvitationException(Reason.USED,
                "the invitation was already used or withdrawn: ask for a new one");
          }
          throw e;
        }
        PreKeyBundle bundle;
        try {
          bundle = PreKeyBundle.parse(s.openBundle(sealed));
        } catch (AuthenticationFailedException | MalformedInputException e) {
          throw new InvalidInvitationException(Reason.MISMATCH,
              "the relay returned a bundle that does not belong to this invitation");
        }
        if (!bundle.identity().hasFingerprint(invitation.inviterFingerprint())) {
          throw new InvalidInvitationException(Reason.MISMATCH,
              "the inviter's keys do not match the fingerprint in the invitation");
        }
        byte[] mailbox = random(32);
        await(mine.createMailbox(mailbox, owner));
        byte[] setup = Payload.newBuilder().setSetup(Setup.newBuilder()
            .setReplyMailbox(ByteString.copyFrom(mailbox))
            .setSenderKey(ByteString.copyFrom(Ed25519.publicKey(senderKey)))
            .setRelay(home.toString())).build().toByteArray();
        SessionStart.Started started = SessionStart.initiate(identity, bundle, s.mailboxId(), setup);
        byte[] body = s.sealInitialMessage(started.initialMessage());
        String cid = HexFormat.of().formatHex(random(8));
        ContactRecord r = ContactRecord.newBuilder().setVersion(1).setName(name)
            .setPeerIdentity(ByteString.copyFrom(bundle.identity().encoded()))
            .setReceiveMailbox(ByteString.copyFrom(mailbox))
            .setReceiveOwnerKey(ByteString.copyFrom(owner.toByteArray(ACCESS)))
            .setReceiveRelay(home.toString())
            .setSenderKey(ByteString.copyFrom(senderKey.toByteArray(ACCESS)))
            .setNextSendSequence(1)
            .setCreatedAtMillis(System.currentTimeMillis())
            .setOrder(System.nanoTime())
            .setSession(ByteString.copyFrom(started.session().toByteArray()))
            .build();
        byte[] mid = random(16);
        store.commit(Map.of(CONTACT_PREFIX + cid, r.toByteArray(),
            StateOutbox.key(mid), StateOutbox.record(invitation.relay().toString(), s.mailboxId(), mid, body)),
            Set.of());
        RuntimeConversation c = new RuntimeConversation(this, cid, r);
        register(c);
        subscribe(mine, mailbox, owner.toByteArray(ACCESS));
        try {
          await(theirs.send(s.mailboxId(), mid, body));
        } catch (RelayRejectedException e) {
          // The inviter's one-time mailbox is gone: someone used the invitation first.
          store.commit(Map.of(), Set.of(CONTACT_PREFIX + cid, StateOutbox.key(mid)));
          conversations.remove(name);
          byMailbox.remove(ByteBuffer.wrap(mailbox));
          mine.deleteMailbox(mailbox, owner);
          if (e.code() == RelayErrorCode.NO_SUCH_MAILBOX) {
            throw new InvalidInvitationException(Reason.USED,
                "the invitation was already used: ask for a new one");
          }
          throw e;
        }
        return c;
      } finally {
        java.util.Arrays.fill(secret, (byte) 0);
      }
    });
  }

  // ------------------------------------------------------------------ deliveries (serial)

  private void onDelivery(RelayLink link, Delivery d) {
    if (closed) {
      return;
    }
    ByteBuffer mb = ByteBuffer.wrap(d.mailboxId());
    try {
      InvitationRecord inv = invitations.get(mb);
      if (inv != null) {
        onHandshake(link, inv, d);
        return;
      }
      RuntimeConversation c = byMailbox.get(mb);
      if (c != null) {
        onMessage(link, c, d);
      }
    } catch (BackchannelException | RuntimeException e) {
      // Not acknowledged: the relay delivers it again after the next reconnect.
      LOG.warn("processing a delivery failed: {}", e.toString());
    }
  }

  private static void ack(RelayLink link, Delivery d) {
    link.ack(d.mailboxId(), d.messageId()).whenComplete((v, e) -> {
      if (e != null) {
        LOG.debug("acknowledging a delivery failed: {}", e.toString());
      }
    });
  }

  private void onHandshake(RelayLink link, InvitationRecord inv, Delivery d) throws BackchannelException {
    byte[] invMailbox = d.mailboxId();
    SessionStart.Accepted accepted;
    Setup setup;
    PreKeyStore working = PreKeyStore.parse(prekeys.toByteArray());
    try (InvitationSecrets s = InvitationSecrets.derive(inv.getSecret().toByteArray())) {
      byte[] initial = s.openInitialMessage(d.body());
      accepted = SessionStart.accept(identity, working, initial, s.mailboxId());
      Payload p = Payload.parseFrom(accepted.firstPayload());
      if (!p.hasSetup() || p.getSetup().getReplyMailbox().size() != 32 || p.getSetup().getSenderKey().size() != 32) {
        throw new MalformedInputException("first message is not a setup");
      }
      setup = p.getSetup();
    } catch (BackchannelException | InvalidProtocolBufferException e) {
      LOG.warn("dropping an initial message that failed: {}", e.toString());
      ack(link, d);
      return;
    }
    if (accepted.peer().equals(identity.publicKey())) {
      LOG.warn("dropping an initial message from ourselves");
      ack(link, d);
      return;
    }
    try (SecretBytes owner = Ed25519.generatePrivateKey();
        SecretBytes senderKey = Ed25519.generatePrivateKey()) {
      byte[] mailbox = random(32);
      RelayLink mine = link(home);
      await(mine.createMailbox(mailbox, owner));
      await(mine.lock(mailbox, owner, setup.getSenderKey().toByteArray()));
      RatchetState session = accepted.session();
      byte[] reply = Payload.newBuilder().setSetup(Setup.newBuilder()
          .setReplyMailbox(ByteString.copyFrom(mailbox))
          .setSenderKey(ByteString.copyFrom(Ed25519.publicKey(senderKey)))
          .setRelay(home.toString())).build().toByteArray();
      byte[] sendMailbox = setup.getReplyMailbox().toByteArray();
      String sendRelay = setup.getRelay().isEmpty() ? link.address().toString() : setup.getRelay();
      RelayLink theirs = link(sendRelay);
      Envelope env = EnvelopeSealer.seal(session, sendMailbox, reply);
      String cid = HexFormat.of().formatHex(random(8));
      ContactRecord r = ContactRecord.newBuilder().setVersion(1).setName(inv.getName())
          .setPeerIdentity(ByteString.copyFrom(accepted.peer().encoded()))
          .setReceiveMailbox(ByteString.copyFrom(mailbox))
          .setReceiveOwnerKey(ByteString.copyFrom(owner.toByteArray(ACCESS)))
          .setReceiveRelay(home.toString())
          .setSendMailbox(ByteString.copyFrom(sendMailbox))
          .setSendRelay(sendRelay)
          .setPeerSenderKey(setup.getSenderKey())
          .setSenderKey(ByteString.copyFrom(senderKey.toByteArray(ACCESS)))
          .setNextSendSequence(1)
          .setCreatedAtMillis(System.currentTimeMillis())
          .setOrder(System.nanoTime())
          .setSession(ByteString.copyFrom(session.toByteArray()))
          .build();
      byte[] mid = random(16);
      store.commit(Map.of(PEER_KEY, peerRecord(identity, working),
              CONTACT_PREFIX + cid, r.toByteArray(),
              StateOutbox.key(mid), StateOutbox.record(sendRelay, sendMailbox, mid, env.body())),
          Set.of(INVITATION_PREFIX + HexFormat.of().formatHex(invMailbox)));
      prekeys = working;
      invitations.remove(ByteBuffer.wrap(invMailbox));
      RuntimeConversation c = new RuntimeConversation(this, cid, r);
      register(c);
      subscribe(mine, mailbox, owner.toByteArray(ACCESS));
      useSenderKey(r);
      theirs.send(sendMailbox, mid, env.body());
      ack(link, d);
      try (SecretBytes invOwner = SecretBytes.copyOf(inv.getMailboxOwnerKey().toByteArray(), ACCESS)) {
        link.deleteMailbox(invMailbox, invOwner);
      }
      Consumer<Conversation> l = conversationListener;
      if (l != null) {
        callbacks.execute(() -> l.accept(c));
      }
    }
  }

  private void onMessage(RelayLink link, RuntimeConversation c, Delivery d) throws BackchannelException {
    ContactRecord.Builder r = c.record().toBuilder();
    RatchetState session = RatchetState.parse(r.getSession().toByteArray());
    DecryptedMessage dm;
    Payload p;
    try {
      dm = EnvelopeSealer.open(session, new Envelope(d.mailboxId(), d.body()));
      p = Payload.parseFrom(dm.plaintext());
    } catch (DuplicateMessageException e) {
      ack(link, d);
      return;
    } catch (BackchannelException | InvalidProtocolBufferException e) {
      LOG.warn("dropping an envelope that failed to open in a conversation: {}", e.toString());
      ack(link, d);
      return;
    }
    Map<String, byte[]> puts = new HashMap<>();
    List<long[]> gaps = new ArrayList<>();
    List<Long> delivered = new ArrayList<>();
    List<byte[][]> sends = new ArrayList<>();
    boolean lockNeeded = false;
    boolean newSendMailbox = false;
    List<String> deletes = new ArrayList<>();
    byte[] retired = null;
    byte[] retiredOwner = null;
    String retiredRelay = "";
    if (!r.getPreviousReceiveMailbox().isEmpty()
        && java.util.Arrays.equals(d.mailboxId(), r.getReceiveMailbox().toByteArray())) {
      // The contact reached our new mailbox: the old one can go.
      retired = r.getPreviousReceiveMailbox().toByteArray();
      retiredOwner = r.getPreviousReceiveOwnerKey().toByteArray();
      retiredRelay = r.getPreviousReceiveRelay();
      r.clearPreviousReceiveMailbox().clearPreviousReceiveOwnerKey().clearPreviousReceiveRelay();
    }
    switch (p.getBodyCase()) {
      case SETUP -> {
        Setup setup = p.getSetup();
        if (setup.getReplyMailbox().size() == 32 && setup.getSenderKey().size() == 32) {
          boolean first = r.getSendMailbox().isEmpty();
          r.setSendMailbox(setup.getReplyMailbox());
          r.setSendRelay(setup.getRelay().isEmpty() ? link.address().toString() : setup.getRelay());
          if (first) {
            // The contact's answer to our invitation acceptance: lock our mailbox to its key.
            r.setPeerSenderKey(setup.getSenderKey());
            lockNeeded = true;
            for (ByteString queued : r.getQueuedList()) {
              sends.add(sealInto(session, r.getSendRelay(), r.getSendMailbox().toByteArray(), queued.toByteArray(), puts));
            }
            r.clearQueued();
          } else {
            newSendMailbox = true; // the contact rotated its mailbox
          }
        }
      }
      case MESSAGE -> {
        UserMessage m = p.getMessage();
        long last = r.getLastReceivedSequence();
        if (m.getSequence() > last + 1) {
          gaps.add(new long[] {last + 1, m.getSequence() - 1});
        }
        r.setLastReceivedSequence(Math.max(last, m.getSequence()));
        puts.put(inboxKey(c.id(), m.getSequence()), InboxRecord.newBuilder()
            .setSequence(m.getSequence()).setSentAtMillis(m.getSentAtMillis())
            .setReceivedAtMillis(System.currentTimeMillis()).setBody(m.getBody())
            .build().toByteArray());
        if (!r.getSendMailbox().isEmpty()) {
          byte[] receipt = Payload.newBuilder().setReceipt(Receipt.newBuilder().addSequences(m.getSequence()))
              .build().toByteArray();
          sends.add(sealInto(session, r.getSendRelay(), r.getSendMailbox().toByteArray(), receipt, puts));
        }
      }
      case RECEIPT -> delivered.addAll(p.getReceipt().getSequencesList());
      default -> { }
    }
    r.setSession(ByteString.copyFrom(session.toByteArray()));
    ContactRecord updated = r.build();
    puts.put(CONTACT_PREFIX + c.id(), updated.toByteArray());
    store.commit(puts, deletes);
    c.update(updated);
    ack(link, d);
    if (retired != null) {
      byMailbox.remove(ByteBuffer.wrap(retired));
      try (SecretBytes owner = SecretBytes.copyOf(retiredOwner, ACCESS)) {
        link(retiredRelay).deleteMailbox(retired, owner);
      }
    }
    if (newSendMailbox) {
      useSenderKey(updated);
    }
    if (lockNeeded) {
      useSenderKey(updated);
      try (SecretBytes owner = SecretBytes.copyOf(updated.getReceiveOwnerKey().toByteArray(), ACCESS)) {
        link(updated.getReceiveRelay()).lock(updated.getReceiveMailbox().toByteArray(), owner,
            p.getSetup().getSenderKey().toByteArray());
      }
    }
    for (byte[][] s : sends) {
      c.track(link(updated.getSendRelay()).send(s[0], s[1], s[2]), s[3]);
    }
    for (long[] g : gaps) {
      for (long seq = g[0]; seq <= g[1]; seq++) {
        c.gap(seq);
      }
    }
    for (long seq : delivered) {
      c.delivered(seq);
    }
    c.dispatch();
  }

  /** Seals a payload into an outbox record in {@code puts}; returns {mailbox, id, body, seq}. */
  private static byte[][] sealInto(RatchetState session, String relay, byte[] mailbox, byte[] payload,
      Map<String, byte[]> puts) throws QuotaExceededException, MalformedInputException {
    Envelope env = EnvelopeSealer.seal(session, mailbox, payload);
    byte[] mid = random(16);
    puts.put(StateOutbox.key(mid), StateOutbox.record(relay, mailbox, mid, env.body()));
    long seq = 0;
    try {
      Payload p = Payload.parseFrom(payload);
      if (p.hasMessage()) {
        seq = p.getMessage().getSequence();
      }
    } catch (InvalidProtocolBufferException e) {
      // ours: cannot happen
    }
    return new byte[][] {mailbox, mid, env.body(), ByteBuffer.allocate(8).putLong(seq).array()};
  }

  static String inboxKey(String cid, long seq) {
    return INBOX_PREFIX + cid + "/" + String.format("%020d", seq);
  }

  static String inboxPrefix(String cid) {
    return INBOX_PREFIX + cid + "/";
  }

  StateStore store() {
    return store;
  }

  // ------------------------------------------------------------------ sending (serial)

  /** Seals and stores a user message, then hands it to the link; completes with its sequence. */
  void send(RuntimeConversation c, byte[] body, CompletableFuture<Long> result) {
    try {
      if (body.length > Padding.MAX_PAYLOAD - 64) {
        throw new QuotaExceededException("a message holds at most " + (Padding.MAX_PAYLOAD - 64)
            + " bytes; this one has " + body.length);
      }
      ContactRecord.Builder r = c.record().toBuilder();
      long seq = r.getNextSendSequence();
      byte[] payload = Payload.newBuilder().setMessage(UserMessage.newBuilder()
          .setSequence(seq).setSentAtMillis(System.currentTimeMillis())
          .setBody(ByteString.copyFrom(body))).build().toByteArray();
      r.setNextSendSequence(seq + 1);
      Map<String, byte[]> puts = new HashMap<>();
      byte[][] s = null;
      if (r.getSendMailbox().isEmpty()) {
        r.addQueued(ByteString.copyFrom(payload)); // goes out when the contact's setup arrives
      } else {
        RatchetState session = RatchetState.parse(r.getSession().toByteArray());
        s = sealInto(session, r.getSendRelay(), r.getSendMailbox().toByteArray(), payload, puts);
        r.setSession(ByteString.copyFrom(session.toByteArray()));
      }
      ContactRecord updated = r.build();
      puts.put(CONTACT_PREFIX + c.id(), updated.toByteArray());
      store.commit(puts, Set.of());
      c.update(updated);
      if (s == null) {
        c.awaitSetup(seq, result);
      } else {
        link(updated.getSendRelay()).send(s[0], s[1], s[2]).whenComplete((v, e) -> {
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            result.complete(seq);
          }
        });
      }
    } catch (BackchannelException e) {
      result.completeExceptionally(e);
    }
  }

  /** Moves the contact's receiving mailbox to a fresh one (serial). */
  void rotate(RuntimeConversation c, CompletableFuture<Void> result) {
    try (SecretBytes owner = Ed25519.generatePrivateKey();
        SecretBytes mySender = SecretBytes.copyOf(c.record().getSenderKey().toByteArray(), ACCESS)) {
      ContactRecord.Builder r = c.record().toBuilder();
      if (r.getSendMailbox().isEmpty() || r.getPeerSenderKey().isEmpty()) {
        throw new UnknownSessionException("the conversation is not established yet");
      }
      if (!r.getPreviousReceiveMailbox().isEmpty()) {
        throw new UnknownSessionException("the previous rotation has not completed yet");
      }
      byte[] mailbox = random(32);
      RelayLink mine = link(home);
      await(mine.createMailbox(mailbox, owner));
      await(mine.lock(mailbox, owner, r.getPeerSenderKey().toByteArray()));
      RatchetState session = RatchetState.parse(r.getSession().toByteArray());
      byte[] announce = Payload.newBuilder().setSetup(Setup.newBuilder()
          .setReplyMailbox(ByteString.copyFrom(mailbox))
          .setSenderKey(ByteString.copyFrom(Ed25519.publicKey(mySender)))
          .setRelay(home.toString())).build().toByteArray();
      Map<String, byte[]> puts = new HashMap<>();
      byte[][] s = sealInto(session, r.getSendRelay(), r.getSendMailbox().toByteArray(), announce, puts);
      r.setPreviousReceiveMailbox(r.getReceiveMailbox())
          .setPreviousReceiveOwnerKey(r.getReceiveOwnerKey())
          .setPreviousReceiveRelay(r.getReceiveRelay())
          .setReceiveRelay(home.toString())
          .setReceiveMailbox(ByteString.copyFrom(mailbox))
          .setReceiveOwnerKey(ByteString.copyFrom(owner.toByteArray(ACCESS)))
          .setSession(ByteString.copyFrom(session.toByteArray()));
      ContactRecord updated = r.build();
      puts.put(CONTACT_PREFIX + c.id(), updated.toByteArray());
      store.commit(puts, Set.of());
      c.update(updated);
      byMailbox.put(ByteBuffer.wrap(mailbox), c);
      subscribe(mine, mailbox, owner.toByteArray(ACCESS));
      link(updated.getSendRelay()).send(s[0], s[1], s[2]).whenComplete((v, e) -> {
        if (e != null) {
          result.completeExceptionally(e);
        } else {
          result.complete(null);
        }
      });
    } catch (BackchannelException e) {
      result.completeExceptionally(e);
    }
  }

  /** Marks the contact verified (serial). */
  void markVerified(RuntimeConversation c) throws BackchannelException {
    ContactRecord updated = c.record().toBuilder().setVerified(true).build();
    store.commit(Map.of(CONTACT_PREFIX + c.id(), updated.toByteArray()), Set.of());
    c.update(updated);
  }

  IdentityPublicKey identityPublicKey() {
    return identity.publicKey();
  }

  // ------------------------------------------------------------------ Peer

  @Override
  public List<Conversation> conversations() {
    try {
      return call(() -> List.copyOf(conversations.values()));
    } catch (BackchannelException e) {
      return List.of();
    }
  }

  @Override
  public Optional<Conversation> conversation(String name) {
    try {
      return call(() -> Optional.ofNullable(conversations.get(name)));
    } catch (BackchannelException e) {
      return Optional.empty();
    }
  }

  @Override
  public void onConversation(Consumer<Conversation> listener) {
    this.conversationListener = listener;
  }

  @Override
  public void awaitRelay(Duration timeout) throws BackchannelException {
    link(home).awaitConnected(timeout);
  }

  @Override
  public byte[] fingerprint() {
    return identity.publicKey().fingerprint();
  }

  @Override
  public CompletableFuture<Void> closeAsync() {
    if (!closed) {
      closed = true;
      Thread t = new Thread(() -> {
        serial.shutdown();
        try {
          serial.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        links.values().forEach(RelayLink::close);
        linkCallbacks.shutdown();
        store.close();
        identity.close();
        if (ownCallbacks != null) {
          ownCallbacks.shutdown();
        }
        terminated.complete(null);
      }, "backchannel-peer-close");
      t.setDaemon(true);
      t.start();
    }
    return terminated;
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    try {
      terminated.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return true;
    }
  }

  @Override
  public void close() {
    closeAsync();
    try {
      awaitTermination(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "Peer[" + identity.publicKey() + ", " + conversations.size() + " conversations]";
  }
}
