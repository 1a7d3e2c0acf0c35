/**
 * Backchannel's embedding API: {@code Peer}, {@code Conversation}, invitations, agreements and
 * introductions, the typed errors, and the service interface the runtime implements. Has no
 * dependencies; the runtime (module {@code dev.backchannel.netty}) is found through
 * {@link java.util.ServiceLoader}.
 */
module dev.backchannel.api {
  exports dev.backchannel.api;
  exports dev.backchannel.api.error;
  exports dev.backchannel.api.spi;

  uses dev.backchannel.api.spi.PeerProvider;
}
