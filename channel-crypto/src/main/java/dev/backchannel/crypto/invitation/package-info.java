/**
 * The keys and sealed containers derived from an invitation secret: the one-time invitation
 * mailbox, the sealed prekey bundle at the relay and the sealed initial message. See
 * {@code docs/PROTOCOL.md}, "Invitation flow".
 */
package dev.backchannel.crypto.invitation;
