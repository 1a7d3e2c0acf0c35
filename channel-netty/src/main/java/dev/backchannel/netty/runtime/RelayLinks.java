package dev.backchannel.netty.runtime;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.client.RelayLink;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The peer's links to relays, opened on first use, and the relays it may open one to: those the
 * user configured, those of invitations the user accepted, and those its contacts' records
 * already name. A relay named only by a contact's message is refused ({@link #allows}), so a
 * contact cannot make the peer connect to hosts of its choosing. Thread-safe.
 */
final class RelayLinks {
  private final RelayAddress home;
  private final Executor callbacks;
  private final Duration timeout;
  private final OutboxLedger outbox;
  private final Map<RelayAddress, RelayLink> links = new ConcurrentHashMap<>();
  /** Parsed forms of allowed relays, by the string records name them with. */
  private final Map<String, RelayAddress> parsed = new ConcurrentHashMap<>();
  private static final int MAX_PARSED = 1024;
  private final Set<RelayAddress> allowed = ConcurrentHashMap.newKeySet();
  private volatile boolean readingPaused;
  /** The home relay's admission secret, or null; each home link gets its own copy. */
  private final SecretBytes homeAdmission;

  RelayLinks(List<RelayAddress> configured, Executor callbacks, Duration timeout, OutboxLedger outbox,
      SecretBytes homeAdmission) {
    this.homeAdmission = homeAdmission;
    this.home = configured.get(0);
    this.callbacks = callbacks;
    this.timeout = timeout;
    this.outbox = outbox;
    allowed.addAll(configured);
  }

  RelayAddress home() {
    return home;
  }

  /** Allows links to {@code relay} (chosen by the local user, or already in the state). */
  void allow(RelayAddress relay) {
    allowed.add(relay);
  }

  /** Allows the relay written as {@code relay} if it parses; empty means home. */
  void allow(String relay) {
    if (!relay.isEmpty()) {
      try {
        allowed.add(RelayAddress.parse(relay));
      } catch (BackchannelException e) {
        // a record written by us always parses; nothing to allow otherwise
      }
    }
  }

  /** Whether a relay named in a contact's message may be used ({@code ""} is the one it came through). */
  boolean allows(String relay) {
    if (relay.isEmpty()) {
      return true;
    }
    if (parsed.containsKey(relay)) {
      return true; // only allowed relays are kept
    }
    try {
      return allowed.contains(RelayAddress.parse(relay));
    } catch (BackchannelException e) {
      return false;
    }
  }

  /** The link to {@code relay}, opened on first use. */
  RelayLink get(RelayAddress relay) throws BackchannelException {
    if (!allowed.contains(relay)) {
      throw new MalformedInputException("relay " + relay.endpointList() + " is not one this peer may use");
    }
    RelayLink l = links.get(relay);
    if (l != null) {
      return l;
    }
    synchronized (this) {
      l = links.get(relay);
      if (l == null) {
        RelayLink.Builder b = RelayLink.builder(relay)
            .callbackExecutor(callbacks)
            // the router's listener only queues the delivery for the stage, never blocking
            .deliveryExecutor(Runnable::run)
            .requestTimeout(timeout)
            .outbox(outbox.view(relay.toString(), relay.equals(home)));
        if (homeAdmission != null && relay.equals(home)) {
          b.admissionSecret(homeAdmission); // the link keeps its own copy
        }
        l = b.build();
        if (readingPaused) {
          l.pauseReading();
        }
        links.put(relay, l);
      }
      return l;
    }
  }

  /**
   * The link to the relay written as {@code relay}; empty means the home relay. Contact records
   * name relays as strings and every send looks one up, so the parsed form of an allowed relay is
   * kept (at most {@value #MAX_PARSED}); a string a contact sent is kept only if its relay is allowed.
   */
  RelayLink get(String relay) throws BackchannelException {
    if (relay.isEmpty()) {
      return get(home);
    }
    RelayAddress a = parsed.get(relay);
    if (a == null) {
      a = RelayAddress.parse(relay);
      if (allowed.contains(a) && parsed.size() < MAX_PARSED) {
        parsed.put(relay, a);
      }
    }
    return get(a);
  }

  Collection<RelayLink> all() {
    return links.values();
  }

  /** Stops reading from every relay (the stage is behind). */
  synchronized void pauseReading() {
    if (!readingPaused) {
      readingPaused = true;
      links.values().forEach(RelayLink::pauseReading);
    }
  }

  /** Reads from every relay again. */
  synchronized void resumeReading() {
    if (readingPaused) {
      readingPaused = false;
      links.values().forEach(RelayLink::resumeReading);
    }
  }

  boolean readingPaused() {
    return readingPaused;
  }

  void closeAll() {
    links.values().forEach(RelayLink::close);
    if (homeAdmission != null) {
      homeAdmission.close();
    }
  }
}
