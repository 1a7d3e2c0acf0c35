package dev.backchannel.netty.client;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.RelayAddress.Endpoint;
import java.util.List;

/**
 * Which endpoint of a relay address a link tries next: the first at start, then, after each
 * failed connection attempt or dropped connection, the next in the address's order, wrapping
 * round. A link to an address with one endpoint always tries that one. Confined to the link's
 * event loop, except {@link #current()}, which any thread may read.
 */
final class EndpointCycle {
  private final List<Endpoint> endpoints;
  private volatile int index;

  EndpointCycle(RelayAddress address) {
    this.endpoints = address.endpoints();
  }

  /** The endpoint the link is connected to, or will try next. */
  Endpoint current() {
    return endpoints.get(index);
  }

  /** Moves to the next endpoint (after a failure of the current one); returns it. */
  Endpoint advance() {
    index = (index + 1) % endpoints.size();
    return current();
  }

  /** How many endpoints there are. */
  int size() {
    return endpoints.size();
  }
}
