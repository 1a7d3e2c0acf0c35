/**
 * The client side of the relay link: {@link dev.backchannel.netty.client.RelayLink} connects to a
 * relay whose key is pinned in its address, keeps an {@link dev.backchannel.netty.client.Outbox}
 * of envelopes until the relay acknowledges them, and reconnects on its own.
 */
package dev.backchannel.netty.client;
