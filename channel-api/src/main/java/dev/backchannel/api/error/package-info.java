/**
 * Backchannel's one exception hierarchy. Every failure a caller can act on is a subtype of the
 * checked {@link dev.backchannel.api.error.BackchannelException}, one type per cause that a
 * caller would handle differently; broken internal invariants are the unchecked
 * {@link dev.backchannel.api.error.BackchannelBugException}. No message of any of these types
 * contains key material or plaintext: messages hold ids, sizes and reasons only.
 */
package dev.backchannel.api.error;
