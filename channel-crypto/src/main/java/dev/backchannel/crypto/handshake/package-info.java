/**
 * The hybrid post-quantum handshake (PQXDH-style: X25519 and ML-KEM-768) that turns a prekey
 * bundle into a Double Ratchet session, and the initial message that carries it. See
 * {@code docs/PROTOCOL.md}, "Handshake".
 */
package dev.backchannel.crypto.handshake;
