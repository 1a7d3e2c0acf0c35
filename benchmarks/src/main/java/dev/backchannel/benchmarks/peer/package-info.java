/** The peer-level load generator: two {@code Peer}s through an in-process relay, with baselines. */
package dev.backchannel.benchmarks.peer;
