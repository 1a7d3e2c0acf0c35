/** {@code backchannel demo}: a relay and two peers in one process, showing what the relay sees. */
package dev.backchannel.examples.demo;
