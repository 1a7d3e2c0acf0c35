/**
 * Encryption of stored state at rest: a key derived from the user's passphrase with Argon2id,
 * and authenticated encryption of each stored record bound to its name. Used by the peer
 * runtime's state store; see {@code docs/PROTOCOL.md}, section "State at rest".
 */
package dev.backchannel.crypto.atrest;
