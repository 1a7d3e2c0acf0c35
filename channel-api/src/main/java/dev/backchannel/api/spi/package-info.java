/**
 * Service-provider interfaces: storage that the peer runtime uses and that applications may
 * replace (for example {@link dev.backchannel.api.spi.StateStore}). JDK types only. The relay's
 * mailbox store SPI lives with the relay, in {@code dev.backchannel.netty.relay.store}.
 */
package dev.backchannel.api.spi;
