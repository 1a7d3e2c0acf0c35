/**
 * Backchannel over Netty: the relay node ({@code relay}), the client link ({@code client}) and
 * the embedded mailbox store ({@code store}). Types in {@code internal} packages are not API.
 */
package dev.backchannel.netty;
