/** The relay load generator and its baseline, a plain Netty TLS forwarder without a store. */
package dev.backchannel.benchmarks.relay;
