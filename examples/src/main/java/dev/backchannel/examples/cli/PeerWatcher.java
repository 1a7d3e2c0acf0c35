package dev.backchannel.examples.cli;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The daemon's eye on its peer: while at least one client is connected it does what
 * {@code receive} does, every {@link #TICK_MILLIS} ms, and notifies the clients instead of
 * printing: new contacts, introduction requests and agreement statuses, each once across runs
 * (recorded in the sealed state, so a later {@code receive} does not repeat them); incoming
 * messages, taken from the inbox (unless receive mode is manual); and gaps and deliveries. While
 * no client is connected nothing is taken, so nothing is lost to nobody.
 *
 * <p>One thread of its own; {@link #close()} stops it.
 */
final class PeerWatcher implements AutoCloseable {
  static final long TICK_MILLIS = 200;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerWatcher.class);

  private final PeerCommand command;
  private final Peer peer;
  private final Broadcaster clients;
  private final boolean manualReceive;
  private final Set<String> watched = new HashSet<>();
  private final Thread thread;
  private volatile boolean running = true;

  PeerWatcher(PeerCommand command, Peer peer, Broadcaster clients, boolean manualReceive) {
    this.command = command;
    this.peer = peer;
    this.clients = clients;
    this.manualReceive = manualReceive;
    this.thread = new Thread(this::run, "daemon-watcher");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    while (running) {
      try {
        if (clients.hasClients()) {
          tick();
        }
        Thread.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // A state read failed (the peer closing, a full disk): try again on the next tick.
        if (running) {
          LOG.warn("daemon: looking at the state failed, trying again: {}", e.toString());
        }
        try {
          Thread.sleep(TICK_MILLIS);
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }

  private void tick() throws Exception {
    Announcements contacts = command.announcedContacts(peer);
    Set<String> seen = contacts.read();
    IntroductionCommands.announceRequests(command, peer, clients);
    AgreementCommands.announce(command, peer, clients);
    for (Conversation c : peer.conversations()) {
      if (!seen.contains(c.name())) {
        clients.emit(CliEvent.Contact.of(c, true));
        contacts.add(c.name());
      }
      if (watched.add(c.name())) {
        String name = c.name();
        c.onGap(g -> clients.emit(new CliEvent.GapSeen(name, g.from(), g.to())));
        c.onDelivered(seq -> clients.emit(new CliEvent.Delivery(name, seq)));
      }
      Optional<Message> m;
      while (!manualReceive && running && clients.hasClients() && (m = c.poll()).isPresent()) {
        clients.emit(CliEvent.Received.of(m.get()));
      }
    }
  }

  @Override
  public void close() {
    running = false; // not interrupted: it may be inside a state write
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
