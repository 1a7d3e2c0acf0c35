package dev.backchannel.crypto.agreement;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.internal.Hkdf;
import dev.backchannel.crypto.internal.proto.IdentityKeyPairProto;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * A party's signing keys for agreements: its Ed25519 identity key and an ML-DSA-65 key pair
 * derived from the identity, so identities made before agreements existed sign unchanged:
 *
 * <pre>
 * xi = HKDF-SHA256(salt = empty, ikm = ed25519_private_seed[32],
 *                  info = "Backchannel-v1 agreement ml-dsa-65 seed", 32)
 * (ml_dsa_65_public, ml_dsa_65_private) = ML-DSA.KeyGen_internal(xi)     (FIPS 204)
 * </pre>
 *
 * <p>Secret: {@link #toString()} shows only the public identity; {@link #close()} zeroes the
 * seed (it does not close the identity, which the caller owns and must keep open while signing).
 * Derivation reads the Ed25519 seed from the identity's serialization; the arrays it uses are
 * zeroed, but protobuf's immutable copy of the seed cannot be, so zeroization is best effort, as
 * everywhere on the JVM. Thread-safe until closed.
 *
 * @since 0.2
 */
public final class AgreementKeys implements AutoCloseable {
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final IdentityKeyPair identity;
  private final SecretBytes mlDsaSeed;
  private final ByteValue mlDsaPublic;

  private AgreementKeys(IdentityKeyPair identity, SecretBytes mlDsaSeed) {
    this.identity = identity;
    this.mlDsaSeed = mlDsaSeed;
    this.mlDsaPublic = ByteValue.copyOf(MlDsa65.publicKey(mlDsaSeed.unsafeBytes(ACCESS)));
  }

  /**
   * The agreement keys of {@code identity}; the same identity always gives the same keys.
   *
   * @throws IllegalStateException if the identity was closed
   */
  public static AgreementKeys derive(IdentityKeyPair identity) {
    Objects.requireNonNull(identity, "identity");
    byte[] serialized = identity.toByteArray();
    byte[] edSeed = null;
    try {
      edSeed = IdentityKeyPairProto.parseFrom(serialized).getEd25519Private().toByteArray();
      byte[] xi = Hkdf.derive(null, edSeed, SignatureDomain.MLDSA_SEED_LABEL, MlDsa65.SEED_LENGTH);
      return new AgreementKeys(identity, SecretBytes.wrap(xi, ACCESS));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("identity serialization is unreadable", e);
    } finally {
      Arrays.fill(serialized, (byte) 0);
      if (edSeed != null) {
        Arrays.fill(edSeed, (byte) 0);
      }
    }
  }

  /** The public identity these keys belong to. */
  public IdentityPublicKey identity() {
    return identity.publicKey();
  }

  /** The derived ML-DSA-65 public key (1952 bytes). */
  public ByteValue mlDsa65PublicKey() {
    return mlDsaPublic;
  }

  /**
   * This party's entry for new terms.
   *
   * @throws IllegalArgumentException if the label breaks the rules of {@link Party}
   */
  public Party party(String label, PartyRole role) {
    return new Party(label, role, identity.publicKey(), mlDsaPublic);
  }

  /**
   * Signs {@code terms} with both keys (ML-DSA-65 hedged with fresh randomness).
   *
   * @throws IllegalArgumentException if this identity, with this ML-DSA-65 key, is not a party
   * @throws IllegalStateException if these keys or the identity were closed
   */
  public PartySignature sign(AgreementTerms terms) {
    return sign(terms, RANDOM);
  }

  /** As {@link #sign(AgreementTerms)}; {@code random} null gives deterministic ML-DSA-65. */
  PartySignature sign(AgreementTerms terms, SecureRandom random) {
    int index = terms.indexOf(identity.publicKey()).orElseThrow(
        () -> new IllegalArgumentException("this identity is not a party to the terms"));
    if (!terms.parties().get(index).mlDsa65PublicKey().equals(mlDsaPublic)) {
      throw new IllegalArgumentException("the terms list another ML-DSA-65 key for this identity");
    }
    byte[] hash = terms.hash().raw();
    byte[] ed = identity.sign(SignatureDomain.ed25519Message(hash));
    byte[] ml = MlDsa65.sign(mlDsaSeed.unsafeBytes(ACCESS), SignatureDomain.LABEL, hash, random);
    return new PartySignature(index, ByteValue.copyOf(ed), ByteValue.copyOf(ml));
  }

  /** Zeroes the ML-DSA-65 seed. Idempotent; the identity stays open. */
  @Override
  public void close() {
    mlDsaSeed.close();
  }

  @Override
  public String toString() {
    return "AgreementKeys[" + identity.publicKey() + ", private=redacted]";
  }
}
