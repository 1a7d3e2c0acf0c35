/**
 * Benchmarks of other Signal Protocol implementations ({@code libsignal-client}, AGPL-3.0, and
 * {@code signal-protocol-java}, GPL-3.0), run beside the Backchannel ratchet and handshake
 * benchmarks. Compiled only in the {@code -Ppeers} Maven profile, which the default build and
 * the published artifacts never touch.
 */
package dev.backchannel.benchmarks.peers;
