/**
 * Sealed envelopes: all a relay ever sees of a message (a mailbox id and a padded, encrypted
 * body), and the padding that makes every body of one size class the same length. See
 * {@code docs/PROTOCOL.md}, section "Envelopes".
 */
package dev.backchannel.crypto.envelope;
