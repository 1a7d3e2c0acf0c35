/**
 * Backchannel's cryptographic core (docs/PROTOCOL.md sections 3 to 9 and 13): identities, prekeys,
 * the hybrid handshake, the Double Ratchet with header encryption, envelopes, state at rest and the
 * agreement verifier. {@code dev.backchannel.crypto.internal} and its generated Protocol Buffers
 * classes are not exported (opened to Protocol Buffers only, for its reflection).
 */
module dev.backchannel.crypto {
  requires transitive dev.backchannel.api;
  requires org.bouncycastle.provider;
  requires com.google.protobuf;

  exports dev.backchannel.crypto;
  exports dev.backchannel.crypto.agreement;
  exports dev.backchannel.crypto.atrest;
  exports dev.backchannel.crypto.envelope;
  exports dev.backchannel.crypto.handshake;
  exports dev.backchannel.crypto.invitation;
  exports dev.backchannel.crypto.prekey;
  exports dev.backchannel.crypto.ratchet;

  opens dev.backchannel.crypto.internal.proto to com.google.protobuf;
}
