/**
 * Backchannel's cryptography: keys, secrets and the primitives that sibling modules (the relay
 * and the runtime) need. Application code uses {@code dev.backchannel.api}; public types here
 * serve the other Backchannel modules and relay operators.
 */
package dev.backchannel.crypto;
