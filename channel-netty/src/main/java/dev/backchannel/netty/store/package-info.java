/**
 * Embedded, durable mailbox store for the relay ({@link dev.backchannel.netty.store.RocksDbMailboxStore}),
 * the default implementation of {@link dev.backchannel.netty.relay.store.MailboxStore}.
 */
package dev.backchannel.netty.store;
