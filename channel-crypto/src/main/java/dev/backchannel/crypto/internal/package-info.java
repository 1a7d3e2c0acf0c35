/**
 * Not API. Bouncy Castle and JDK glue for the primitives (AEAD, HKDF, HMAC, X25519, Ed25519,
 * ML-KEM-768), constant-time helpers and generated Protocol Buffers classes. Nothing outside
 * channel-crypto may use this package; an ArchUnit test enforces it.
 */
package dev.backchannel.crypto.internal;
