/**
 * Backchannel's relay node, client link, stores and peer runtime over Netty. The runtime is
 * provided to {@code dev.backchannel.api} as a {@link dev.backchannel.api.spi.PeerProvider} and
 * is not exported; the {@code internal} packages are not exported either (their generated
 * Protocol Buffers classes are opened to Protocol Buffers only, for its reflection). Netty's epoll
 * transport is optional: without it the relay and the links use NIO. So is Micrometer: only
 * {@code RelayMetrics} and the runtime's metrics binder name it, and they are loaded only when an
 * application hands over a {@code MeterRegistry} (then it needs {@code micrometer.core} in its
 * module graph, e.g. by requiring it itself).
 */
module dev.backchannel.netty {
  requires transitive dev.backchannel.api;
  requires transitive dev.backchannel.crypto;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.provider;
  requires com.google.protobuf;
  requires rocksdbjni;
  requires org.slf4j;
  requires static micrometer.core;

  exports dev.backchannel.netty.client;
  exports dev.backchannel.netty.relay;
  exports dev.backchannel.netty.relay.store;
  exports dev.backchannel.netty.store;

  opens dev.backchannel.netty.internal.runtime to com.google.protobuf;
  opens dev.backchannel.netty.internal.wire to com.google.protobuf;

  provides dev.backchannel.api.spi.PeerProvider with dev.backchannel.netty.runtime.NettyPeerProvider;
}
