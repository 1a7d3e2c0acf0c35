package dev.backchannel.netty.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Introduction;
import dev.backchannel.api.IntroductionRequest;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.PeerConfig;
import dev.backchannel.api.PendingInvitation;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.spi.StateStore;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.prekey.PreKeyStore;
import dev.backchannel.netty.internal.runtime.ContactRecord;
import dev.backchannel.netty.internal.runtime.PeerRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime behind {@link Peer}: wires the state store, the serial stage, the relay links and
 * the parts that make invitations, answer handshakes, process deliveries and rotate mailboxes.
 * It only delegates; each part says what it guarantees.
 */
final class RuntimePeer implements Peer {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimePeer.class);
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  /** How often the outbox is checked for sends older than its age limit. */
  private final PeerContext peer;
  private final ExecutorService linkCallbacks;
  private final ExecutorService ownCallbacks;
  private final Invitations invitations;
  private final InvitationAcceptor acceptor;
  private final MailboxPool pool;
  private final LockKeeper locks;
  private final MailboxRotation rotation;
  private final DeliveryRouter router;
  private final Introducer introducer;
  private final RuntimeAppData appData;
  private final IntroductionRequests requests;
  private final IntroductionHandshakes handshakes;
  private final OutboxUpkeep outbox;
  private final List<RuntimeConversation> unseen = new ArrayList<>();
  private Consumer<Conversation> conversationListener;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private RuntimePeer(PeerConfig config, StateStore store, IdentityKeyPair identity, PreKeyStore prekeys) {
    this.linkCallbacks = Executors.newSingleThreadExecutor(PeerContext.named("backchannel-peer-link"));
    this.ownCallbacks = config.callbackExecutor().isPresent() ? null
        : Executors.newSingleThreadExecutor(PeerContext.named("backchannel-peer-callbacks"));
    this.peer = new PeerContext(config, store, identity,
        ownCallbacks != null ? ownCallbacks : config.callbackExecutor().get(), linkCallbacks);
    Invitations.DeliveryRouterHolder holder = new Invitations.DeliveryRouterHolder();
    this.invitations = new Invitations(peer, prekeys, holder);
    this.pool = new MailboxPool(peer);
    this.locks = new LockKeeper(peer);
    this.rotation = new MailboxRotation(peer, pool, locks, holder);
    this.acceptor = new InvitationAcceptor(peer, holder);
    this.introducer = new Introducer(peer);
    this.appData = new RuntimeAppData(peer);
    this.requests = new IntroductionRequests(peer);
    this.handshakes = new IntroductionHandshakes(peer, requests, invitations, acceptor, this::checkName,
        this::opened);
    HandshakeResponder responder = new HandshakeResponder(peer, invitations, pool, locks, holder, this::opened,
        handshakes);
    this.router = new DeliveryRouter(peer, new InboundMessages(peer, locks,
        new IntroductionMessages(introducer, requests, handshakes)), responder);
    holder.router = router;
    this.outbox = new OutboxUpkeep(peer);
  }

  /** Opens the state (creating the identity on first use), connects and resubscribes. */
  static RuntimePeer open(PeerConfig config, StateStore store) throws BackchannelException {
    IdentityKeyPair identity;
    PreKeyStore prekeys;
    Optional<byte[]> stored = store.get(StateKeys.PEER);
    if (stored.isPresent()) {
      try {
        PeerRecord r = PeerRecord.parseFrom(stored.get());
        identity = IdentityKeyPair.parse(r.getIdentity().toByteArray());
        prekeys = PreKeyStore.parse(r.getPrekeys().toByteArray());
      } catch (InvalidProtocolBufferException | MalformedInputException e) {
        throw new StateStoreException("the peer record is corrupt");
      }
    } else {
      identity = IdentityKeyPair.generate();
      prekeys = PreKeyStore.generate(identity);
      store.commit(Map.of(StateKeys.PEER, Invitations.peerRecord(identity, prekeys)), Set.of());
    }
    RuntimePeer p = new RuntimePeer(config, store, identity, prekeys);
    try {
      p.peer.bindMetrics();
      p.load();
    } catch (BackchannelException | RuntimeException e) {
      p.close();
      throw e;
    }
    return p;
  }

  /** Loads everything before the stage starts (so nothing runs concurrently with it). */
  private void load() throws BackchannelException {
    StateStore store = peer.store();
    peer.outbox().load(store);
    List<RuntimeConversation> loaded = new ArrayList<>();
    for (String k : store.keys(StateKeys.CONTACT_PREFIX)) {
      ContactRecord r;
      try {
        r = ContactRecord.parseFrom(store.get(k).orElseThrow());
      } catch (InvalidProtocolBufferException e) {
        throw new StateStoreException("contact record is corrupt");
      }
      peer.links().allow(r.getReceiveRelay());
      peer.links().allow(r.getSendRelay());
      peer.links().allow(r.getPreviousReceiveRelay());
      peer.links().allow(r.getRetiringSendRelay());
      RuntimeConversation c = new RuntimeConversation(peer, new ContactSession(peer,
          k.substring(StateKeys.CONTACT_PREFIX.length()), r));
      c.rotation(rotation::rotate);
      c.loadInbox();
      loaded.add(c);
    }
    pool.load();
    java.util.Map<String, dev.backchannel.crypto.IdentityPublicKey> identities = new java.util.HashMap<>();
    for (RuntimeConversation c : loaded) {
      if (!c.session().record().getPeerIdentity().isEmpty()) {
        identities.put(c.session().id(), AgreementBook.contactIdentity(c));
      }
    }
    peer.agreements().load(identities);
    peer.escrow().load();
    introducer.load();
    requests.load();
    peer.stage().start(router::afterBatch);
    for (RuntimeConversation c : loaded) {
      ContactRecord r = c.session().snapshot();
      peer.conversations().add(c);
      peer.conversations().route(r.getReceiveMailbox().toByteArray(), c);
      router.subscribe(peer.links().get(r.getReceiveRelay()), r.getReceiveMailbox().toByteArray(),
          r.getReceiveOwnerKey().toByteArray());
      if (!r.getPreviousReceiveMailbox().isEmpty()) {
        peer.conversations().route(r.getPreviousReceiveMailbox().toByteArray(), c);
        router.subscribe(peer.links().get(r.getPreviousReceiveRelay()), r.getPreviousReceiveMailbox().toByteArray(),
            r.getPreviousReceiveOwnerKey().toByteArray());
      }
      if (!r.getSendMailbox().isEmpty()) {
        useSenderKey(r.getSendRelay(), r.getSendMailbox().toByteArray(), r.getSenderKey().toByteArray());
      }
      if (!r.getRetiringSendMailbox().isEmpty()) {
        useSenderKey(r.getRetiringSendRelay(), r.getRetiringSendMailbox().toByteArray(), r.getSenderKey().toByteArray());
      }
    }
    invitations.load();
    handshakes.resume();
    // Links to every relay the outbox names, so what waits there goes out.
    for (var e : peer.outbox().olderThan(Long.MAX_VALUE)) {
      peer.links().get(e.relay());
    }
    peer.stage().submit(tx -> {
      loaded.forEach(locks::ensure);
      for (RuntimeConversation c : loaded) {
        if (c.session().holdsReceipts()) {
          tx.touch(c.session()); // receipts held when the peer stopped go now
        }
      }
      pool.refill();
      return null;
    });
    outbox.start();
  }

  private void useSenderKey(String relay, byte[] mailbox, byte[] key) throws BackchannelException {
    try (SecretBytes k = SecretBytes.copyOf(key, ACCESS)) {
      peer.links().get(relay).useSenderKey(mailbox, k);
    }
  }

  /** A conversation opened by someone accepting our invitation, or an introduction (stage, after the commit). */
  private void opened(RuntimeConversation c) {
    c.rotation(rotation::rotate);
    Consumer<Conversation> l;
    synchronized (unseen) {
      l = conversationListener;
      if (l == null) {
        unseen.add(c);
        return;
      }
    }
    peer.callbacks().execute(() -> l.accept(c));
  }

  /** Checks a new contact or invitation name (stage). */
  private void checkName(String name) throws BackchannelException {
    checkName(name, null);
  }

  /** Checks a new contact name, not counting the reservation of introduction request {@code except}. */
  private void checkName(String name, String except) throws BackchannelException {
    if (name == null || name.isBlank() || name.length() > 64 || name.chars().anyMatch(Character::isISOControl)) {
      throw new MalformedInputException("a contact name must be 1..64 printable characters");
    }
    if (peer.conversations().byName(name).isPresent() || invitations.nameTaken(name)
        || requests.nameTaken(name, except)) {
      throw new MalformedInputException("a contact or invitation named '" + name + "' already exists");
    }
  }

  /** An introduced contact this side initiated, whose keys the other side has not yet confirmed. */
  private static boolean hidden(RuntimeConversation c) {
    ContactRecord r = c.session().snapshot();
    return r.getProvenance() == 2 && !r.getEstablished();
  }

  private void checkOpen() throws StateStoreException {
    if (peer.closed()) {
      throw new StateStoreException("peer is closed");
    }
  }

  @Override
  public PendingInvitation invite(String name, Duration validity) throws BackchannelException {
    checkOpen();
    return invitations.create(name, validity, this::checkName);
  }

  @Override
  public Conversation accept(Invitation invitation, String name) throws BackchannelException {
    checkOpen();
    RuntimeConversation c = acceptor.accept(invitation, name, this::checkName);
    c.rotation(rotation::rotate);
    return c;
  }

  @Override
  public List<Conversation> conversations() {
    return peer.conversations().all().stream().filter(c -> !hidden(c)).map(c -> (Conversation) c).toList();
  }

  @Override
  public Optional<Conversation> conversation(String name) {
    return peer.conversations().byName(name).filter(c -> !hidden(c)).map(c -> c);
  }

  @Override
  public Introduction introduce(Conversation first, Conversation second, String note, Duration validity)
      throws BackchannelException {
    checkOpen();
    return introducer.introduce(first, second, note, validity);
  }

  @Override
  public void onIntroduction(Consumer<IntroductionRequest> listener) {
    requests.onIntroduction(listener);
  }

  @Override
  public List<IntroductionRequest> introductionRequests() {
    return requests.pending();
  }

  @Override
  public dev.backchannel.api.AppData appData() {
    return appData;
  }

  @Override
  public List<dev.backchannel.api.Agreement> agreements() {
    return peer.agreements().list(null);
  }

  @Override
  public Optional<dev.backchannel.api.Agreement> agreement(String id) {
    String hex = id == null ? "" : id.toLowerCase(java.util.Locale.ROOT);
    return peer.agreements().get(hex).map(h -> peer.agreements().handle(hex));
  }

  @Override
  public void onConversation(Consumer<Conversation> listener) {
    List<RuntimeConversation> missed;
    synchronized (unseen) {
      conversationListener = listener;
      missed = new ArrayList<>(unseen);
      unseen.clear();
    }
    for (RuntimeConversation c : missed) {
      peer.callbacks().execute(() -> listener.accept(c));
    }
  }

  @Override
  public void awaitRelay(Duration timeout) throws BackchannelException {
    peer.links().get(peer.links().home()).awaitConnected(timeout);
  }

  @Override
  public byte[] fingerprint() {
    return peer.identity().publicKey().fingerprint();
  }

  @Override
  public CompletableFuture<Void> closeAsync() {
    synchronized (terminated) {
      if (peer.closed()) {
        return terminated;
      }
      peer.markClosed();
    }
    Thread t = new Thread(() -> {
      try {
        peer.stage().stop().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.warn("the serial stage did not stop in time");
      }
      peer.timer().shutdownNow();
      peer.links().closeAll();
      invitations.closing();
      handshakes.closing();
      introducer.closing();
      requests.closing();
      peer.conversations().all().forEach(RuntimeConversation::closing);
      linkCallbacks.shutdown();
      try {
        linkCallbacks.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      peer.store().close();
      peer.agreements().close();
      peer.identity().close();
      peer.unbindMetrics();
      if (ownCallbacks != null) {
        ownCallbacks.shutdown();
      }
      terminated.complete(null);
    }, "backchannel-peer-close");
    t.setDaemon(true);
    t.start();
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

  /** How many relay links are open (for tests: a contact must not make the peer open more). */
  int linkCount() {
    return peer.links().all().size();
  }

  /** The escrow this peer holds for its contacts (for tests). */
  AgreementEscrow escrowForTests() {
    return peer.escrow();
  }

  /** This peer's encoded public identity (for tests that play a lying introducer). */
  byte[] identityForTests() {
    return peer.identity().publicKey().encoded();
  }

  /** The serial stage's counters (for tests and benchmarks). */
  SerialStage.Counters stageCounters() {
    return peer.stage().counters();
  }

  @Override
  public String toString() {
    return "Peer[" + peer.identity().publicKey() + ", " + peer.conversations().size() + " conversations]";
  }
}
