package dev.backchannel.netty.runtime;

import com.google.protobuf.ByteString;
import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.PendingInvitation;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.IntroductionClosedException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.invitation.InvitationSecrets;
import dev.backchannel.netty.internal.runtime.IntroductionAccept;
import dev.backchannel.netty.internal.runtime.IntroductionRequestRecord;
import dev.backchannel.netty.internal.runtime.Payload;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an accepted introduction becomes a contact. On accept, the responder (the greater
 * fingerprint) makes a single-use invitation bound to the introduction and hands it to the
 * introducer; the initiator only says yes. Once the introducer forwards the responder's invitation,
 * the initiator runs the hybrid handshake to it on a worker thread (never on the stage), with the
 * context {@link IntroductionBinding#context}; its contact stays hidden until the responder's first
 * message confirms the keys. The responder's side is {@link HandshakeResponder}'s, which calls
 * {@link #responderConnected}. A handshake that fails ends the request as closed.
 */
final class IntroductionHandshakes {
  private static final Logger LOG = LoggerFactory.getLogger(IntroductionHandshakes.class);

  /** Checks a contact name, ignoring the reservation of the request at {@code except}. */
  interface NameCheck {
    void check(String name, String except) throws BackchannelException;
  }

  private final PeerContext peer;
  private final IntroductionRequests requests;
  private final Invitations invitations;
  private final InvitationAcceptor acceptor;
  private final NameCheck names;
  private final Consumer<RuntimeConversation> opened;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(PeerContext.named("backchannel-peer-introductions"));

  IntroductionHandshakes(PeerContext peer, IntroductionRequests requests, Invitations invitations,
      InvitationAcceptor acceptor, NameCheck names, Consumer<RuntimeConversation> opened) {
    this.peer = peer;
    this.requests = requests;
    this.invitations = invitations;
    this.acceptor = acceptor;
    this.names = names;
    this.opened = opened;
    requests.handshakes(this);
  }

  /** After loading: withdraws invitations left by an accept that did not finish; resumes handshakes. */
  void resume() {
    Map<String, IntroductionRequestRecord> all = requests.all();
    for (var e : invitations.introductionInvitations().entrySet()) {
      IntroductionRequestRecord r = all.get(e.getValue());
      if (r == null || r.getState() == IntroductionRequests.PROPOSED
          || !r.getOwnInvitationMailbox().equals(ByteString.copyFrom(e.getKey()))) {
        invitations.withdraw(e.getKey());
      }
    }
    for (var e : all.entrySet()) {
      IntroductionRequestRecord r = e.getValue();
      if (r.getState() == IntroductionRequests.CONNECTING && r.getInitiator() && r.getContact().isEmpty()) {
        initiate(e.getKey());
      }
    }
  }

  CompletableFuture<Conversation> accept(String key, String name) throws BackchannelException {
    IntroductionRequestRecord r = peer.stage().call(tx -> {
      IntroductionRequestRecord x = requests.live(key, IntroductionRequests.PROPOSED);
      requests.introducer(x);
      names.check(name, key);
      return x;
    });
    CompletableFuture<Conversation> f = new CompletableFuture<>();
    if (r.getInitiator()) {
      peer.stage().call(tx -> {
        IntroductionRequestRecord x = requests.live(key, IntroductionRequests.PROPOSED);
        names.check(name, key);
        queueAccept(tx, x, "");
        requests.put(tx, key, x.toBuilder().setState(IntroductionRequests.ACCEPTED).setLocalName(name).build());
        requests.awaiting(key, f);
        return null;
      });
      return f.copy();
    }
    IntroductionBinding binding = binding(key, r);
    long untilMillis = r.getExpiresAtMillis() + IntroductionRequests.GRACE.toMillis() - System.currentTimeMillis();
    Duration validity = Duration.ofMillis(Math.min(Invitations.MAX_VALIDITY.toMillis(), Math.max(1000, untilMillis)));
    PendingInvitation pending = invitations.create(name, validity, n -> names.check(n, key), binding);
    Invitation inv = pending.invitation();
    byte[] mailbox;
    byte[] secret = inv.secret();
    try (InvitationSecrets s = InvitationSecrets.derive(secret)) {
      mailbox = s.mailboxId();
    } finally {
      java.util.Arrays.fill(secret, (byte) 0);
    }
    try {
      peer.stage().call(tx -> {
        IntroductionRequestRecord x = requests.live(key, IntroductionRequests.PROPOSED);
        queueAccept(tx, x, inv.toCompactString());
        requests.put(tx, key, x.toBuilder().setState(IntroductionRequests.ACCEPTED).setLocalName(name)
            .setOwnInvitationMailbox(ByteString.copyFrom(mailbox)).build());
        requests.awaiting(key, f);
        return null;
      });
    } catch (BackchannelException | RuntimeException e) {
      invitations.withdraw(mailbox);
      throw e;
    }
    return f.copy();
  }

  private void queueAccept(StateTransaction tx, IntroductionRequestRecord r, String invitation)
      throws BackchannelException {
    requests.introducer(r).session().queue(tx, Payload.newBuilder().setIntroductionAccept(
        IntroductionAccept.newBuilder().setId(r.getId()).setInvitation(invitation)).build(), 0);
  }

  private IntroductionBinding binding(String key, IntroductionRequestRecord r) throws BackchannelException {
    RuntimeConversation introducer = requests.introducer(r);
    IdentityPublicKey introducerIdentity = IntroductionRequests.parse(introducer.session().record().getPeerIdentity());
    IdentityPublicKey expected = IntroductionRequests.parse(r.getIdentity());
    if (introducerIdentity == null || expected == null) {
      throw new IntroductionClosedException("the introduction's identities do not parse");
    }
    return new IntroductionBinding(r.getId().toByteArray(), introducerIdentity.fingerprint(), introducer.name(),
        expected, key);
  }

  /** Runs the initiator's handshake for the request at {@code key} (any thread; works on the worker). */
  void initiate(String key) {
    worker.execute(() -> {
      IntroductionRequestRecord r = requests.get(key).orElse(null);
      if (r == null || r.getState() != IntroductionRequests.CONNECTING || !r.getContact().isEmpty() || peer.closed()) {
        return;
      }
      try {
        Invitation inv = Invitation.parse(r.getPeerInvitation());
        RuntimeConversation c = acceptor.accept(inv, r.getLocalName(), n -> names.check(n, key), binding(key, r),
            (tx, conv) -> {
              IntroductionRequestRecord now = requests.get(key).orElse(null);
              if (now == null || now.getState() != IntroductionRequests.CONNECTING) {
                throw new IntroductionClosedException("the introduction closed during the handshake");
              }
              requests.put(tx, key, now.toBuilder().setContact(conv.session().id()).build());
            });
        LOG.debug("introduced contact made; waiting for its first message: {}", c);
      } catch (BackchannelException | RuntimeException e) {
        if (peer.closed()) {
          return; // resumed on the next start
        }
        LOG.warn("the handshake of an introduction failed: {}", e.toString());
        peer.stage().later(tx -> {
          requests.end(tx, key, "the handshake with the introduced party failed");
          return null;
        });
      }
    });
  }

  /** The initiator's contact {@code c} got its first message from the responder (stage). */
  void initiatorConfirmed(StateTransaction tx, RuntimeConversation c) {
    for (var e : requests.all().entrySet()) {
      if (e.getValue().getContact().equals(c.session().id())) {
        requests.connected(tx, e.getKey(), c);
        tx.afterCommit(() -> opened.accept(c));
        return;
      }
    }
  }

  /** The responder made contact {@code c} for the request at {@code key} (stage, in the handshake's transaction). */
  void responderConnected(StateTransaction tx, String key, RuntimeConversation c) {
    if (requests.get(key).isPresent()) {
      requests.connected(tx, key, c);
    }
  }

  /** Takes back what an ended request made: its invitation, or its hidden contact (stage). */
  void abandon(StateTransaction tx, IntroductionRequestRecord r) {
    if (!r.getOwnInvitationMailbox().isEmpty()) {
      byte[] mailbox = r.getOwnInvitationMailbox().toByteArray();
      invitations.withdraw(tx, mailbox); // in this batch: the name is free once the request ends
    }
    if (!r.getContact().isEmpty()) {
      peer.conversations().byId(r.getContact()).ifPresent(c -> acceptor.forget(tx, c));
    }
  }

  void closing() {
    worker.shutdownNow();
  }
}
