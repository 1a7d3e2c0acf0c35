/**
 * Prekeys: the signed and one-time X25519 and ML-KEM-768 keys a peer publishes so that another
 * can open a session with it without a round trip. See {@code docs/PROTOCOL.md}, "Prekeys".
 */
package dev.backchannel.crypto.prekey;
