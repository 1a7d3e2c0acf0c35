package dev.backchannel.crypto.ratchet;

/** Exposes {@link RatchetPair} to tests of other packages. */
public final class SessionPairs {
  private SessionPairs() {}

  /** A fresh initiator/responder pair: {@code [initiator, responder]}. */
  public static RatchetState[] create() {
    RatchetPair p = RatchetPair.create();
    return new RatchetState[] {p.initiator, p.responder};
  }
}
