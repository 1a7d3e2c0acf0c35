/**
 * The Double Ratchet with header encryption ({@link dev.backchannel.crypto.ratchet.RatchetState}):
 * per-message keys with forward secrecy and break-in recovery, encrypted headers so a relay sees
 * neither ratchet keys nor counters, bounded storage of skipped message keys. See
 * {@code docs/PROTOCOL.md}, section "Double Ratchet".
 */
package dev.backchannel.crypto.ratchet;
