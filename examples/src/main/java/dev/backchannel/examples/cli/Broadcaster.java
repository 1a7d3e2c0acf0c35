package dev.backchannel.examples.cli;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The daemon's connected clients, as an {@link Output}: each event becomes a JSON-RPC
 * notification ({@code method} = the event's type, {@code params} = its JSON object) sent to every
 * client connected at that moment. Thread-safe.
 */
final class Broadcaster implements Output {
  private final Set<RpcSession> sessions = new CopyOnWriteArraySet<>();

  void add(RpcSession s) {
    sessions.add(s);
  }

  void remove(RpcSession s) {
    sessions.remove(s);
  }

  /** Whether any client is connected (notifications would reach someone). */
  boolean hasClients() {
    sessions.removeIf(s -> !s.isOpen());
    return !sessions.isEmpty();
  }

  int size() {
    return sessions.size();
  }

  @Override
  public void emit(CliEvent event) {
    var n = RpcDispatcher.notification(event);
    for (RpcSession s : sessions) {
      s.send(n);
    }
  }
}
