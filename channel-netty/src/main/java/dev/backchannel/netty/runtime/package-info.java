/**
 * The runtime that implements {@link dev.backchannel.api.Peer}: found by
 * {@link java.util.ServiceLoader}, never named by applications.
 */
package dev.backchannel.netty.runtime;
