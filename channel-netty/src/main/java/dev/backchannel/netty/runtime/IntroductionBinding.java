package dev.backchannel.netty.runtime;

import dev.backchannel.crypto.IdentityPublicKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What ties a handshake between two introduced contacts to their introduction: the id, the
 * introducer's fingerprint, and the one identity the other side may have. The handshake's
 * context (its extra associated data) is {@link #context}, so a handshake replayed into another
 * introduction, or run with a third identity, fails.
 *
 * @param id the introduction id (16 bytes)
 * @param introducerFingerprint the introducer's identity fingerprint (32 bytes)
 * @param introducerName this side's name for the introducer
 * @param expected the identity the introducer proposed
 * @param requestKey the state key of this side's request record
 */
record IntroductionBinding(byte[] id, byte[] introducerFingerprint, String introducerName,
    IdentityPublicKey expected, String requestKey) {
  static final byte[] LABEL = "Backchannel-v1 introduction".getBytes(StandardCharsets.US_ASCII);

  /**
   * {@code LABEL || mailbox (32) || id (16) || fp(introducer) || fp(initiator) || fp(responder)}:
   * the handshake context for an initial message sent to {@code mailbox}.
   */
  static byte[] context(byte[] mailbox, byte[] id, byte[] introducer, byte[] initiator, byte[] responder) {
    ByteBuffer b = ByteBuffer.allocate(LABEL.length + mailbox.length + id.length + introducer.length
        + initiator.length + responder.length);
    return b.put(LABEL).put(mailbox).put(id).put(introducer).put(initiator).put(responder).array();
  }

  /** Whether the side with fingerprint {@code mine} runs the handshake (the smaller fingerprint, unsigned). */
  static boolean initiates(byte[] mine, byte[] other) {
    return Arrays.compareUnsigned(mine, other) < 0;
  }
}
