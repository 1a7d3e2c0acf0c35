/**
 * Agreements: an opt-in, signed statement that turns the outcome of a deniable conversation into
 * a non-repudiable record. The terms ({@link dev.backchannel.crypto.agreement.AgreementTerms})
 * have one canonical byte encoding; every listed party signs them with its Ed25519 identity key
 * and with an ML-DSA-65 key derived from that identity ({@link
 * dev.backchannel.crypto.agreement.AgreementKeys}); both signatures are required. A {@link
 * dev.backchannel.crypto.agreement.SignedAgreement} is exported as one self-contained file
 * (binary or ASCII-armored) that {@link dev.backchannel.crypto.agreement.Agreements#verify} checks
 * with no state and no network. See {@code docs/PROTOCOL.md}, "Agreements".
 */
package dev.backchannel.crypto.agreement;
