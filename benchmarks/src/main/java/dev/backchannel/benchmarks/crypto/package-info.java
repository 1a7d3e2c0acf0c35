/** Benchmarks of the cryptographic primitives and protocol operations. */
package dev.backchannel.benchmarks.crypto;
