/**
 * The relay's storage SPI: {@link dev.backchannel.netty.relay.store.MailboxStore} and its values.
 * Public for relay operators who plug in another store (the embedded default is
 * {@code dev.backchannel.netty.store.RocksDbMailboxStore}); no Netty, RocksDB or protobuf types.
 */
package dev.backchannel.netty.relay.store;
