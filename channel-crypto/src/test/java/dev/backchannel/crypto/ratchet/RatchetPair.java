package dev.backchannel.crypto.ratchet;

import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.internal.X25519;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * Test fixture: two ratchet states seeded as a handshake would seed them, without running the
 * handshake (whose own tests cover it).
 */
final class RatchetPair {
  final RatchetState initiator;
  final RatchetState responder;

  private RatchetPair(RatchetState initiator, RatchetState responder) {
    this.initiator = initiator;
    this.responder = responder;
  }

  static RatchetPair create() {
    return create(Clock.systemUTC());
  }

  static RatchetPair create(Clock clock) {
    byte[] responderPrivate = X25519.generatePrivateKey();
    byte[] responderPublic = X25519.publicKey(responderPrivate);
    byte[] ad = "test-ad: identity A || identity B".getBytes(StandardCharsets.UTF_8);
    try (SecretBytes root = SecretBytes.random(32);
        SecretBytes ihk = SecretBytes.random(32);
        SecretBytes rhk = SecretBytes.random(32);
        SecretBytes spk = SecretBytes.wrap(responderPrivate, InsecureSecretAccess.get())) {
      RatchetSeed seedI = new RatchetSeed(root.copy(), ihk.copy(), rhk.copy(), ad);
      RatchetSeed seedR = new RatchetSeed(root.copy(), ihk.copy(), rhk.copy(), ad);
      RatchetState i = RatchetState.initiator(seedI, responderPublic, clock);
      RatchetState r = RatchetState.responder(seedR, spk, clock);
      seedI.close();
      seedR.close();
      return new RatchetPair(i, r);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
