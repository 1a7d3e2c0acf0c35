/**
 * The relay node: {@link dev.backchannel.netty.relay.RelayServer} configured by
 * {@link dev.backchannel.netty.relay.RelayConfig}. For relay operators and the examples; not
 * needed by embedding applications.
 */
package dev.backchannel.netty.relay;
