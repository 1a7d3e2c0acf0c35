package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.IdentityPublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the parties sign: the terms of an agreement. They have exactly one encoding ({@link
 * #encode()}, specified byte for byte in PROTOCOL.md, "Agreements"); every party signs {@link
 * #hash()}, the SHA-256 of that encoding. The parties are kept sorted by fingerprint, so the
 * order in which they were given does not change the bytes; party indexes in signatures refer to
 * that order.
 *
 * <p>Immutable; the constructor validates every component and throws {@link
 * IllegalArgumentException} naming the rule broken.
 *
 * @param id 16 random bytes that make these terms unique
 * @param title 1..{@link #MAX_TITLE_BYTES} UTF-8 bytes, no control or bidirectional formatting
 *     characters
 * @param textSha256 SHA-256 of the canonical text ({@link AgreementText})
 * @param parties {@link #MIN_PARTIES}..{@link #MAX_PARTIES} parties with distinct fingerprints,
 *     distinct Ed25519 keys and distinct ML-DSA-65 keys
 * @param notBefore Unix seconds from which the agreement applies
 * @param expiresAt Unix seconds at which it ends; after {@code notBefore}, at most {@link
 *     #MAX_TIME}
 * @param supersedes the {@link #hash()} of the terms this agreement replaces, if any
 * @param conversationCommitment the {@link ConversationCommitment} to the conversation
 * @since 0.2
 */
public record AgreementTerms(ByteValue id, String title, ByteValue textSha256, List<Party> parties,
    long notBefore, long expiresAt, Optional<ByteValue> supersedes,
    ByteValue conversationCommitment) {
  /** Encoding version. */
  public static final int VERSION = 1;
  /** Agreement id length. */
  public static final int ID_LENGTH = 16;
  /** The longest title, in UTF-8 bytes. */
  public static final int MAX_TITLE_BYTES = 200;
  /** Fewest parties. */
  public static final int MIN_PARTIES = 2;
  /** Most parties. */
  public static final int MAX_PARTIES = 8;
  /** The latest time accepted: 9999-12-31T23:59:59Z in Unix seconds. */
  public static final long MAX_TIME = 253_402_300_799L;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Comparator<Party> BY_FINGERPRINT =
      (a, b) -> Arrays.compareUnsigned(a.identity().fingerprint(), b.identity().fingerprint());

  /**
   * Validates the terms and sorts the parties by fingerprint.
   *
   * @throws IllegalArgumentException if any component breaks its rule
   * @throws NullPointerException if any component is null
   */
  public AgreementTerms {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(textSha256, "textSha256");
    Objects.requireNonNull(parties, "parties");
    Objects.requireNonNull(supersedes, "supersedes");
    Objects.requireNonNull(conversationCommitment, "conversationCommitment");
    check(id.length() == ID_LENGTH, "agreement id must be " + ID_LENGTH + " bytes");
    DisplayText.encode("title", title, MAX_TITLE_BYTES);
    check(textSha256.length() == 32, "text hash must be 32 bytes");
    check(supersedes.isEmpty() || supersedes.get().length() == 32,
        "superseded terms hash must be 32 bytes");
    check(conversationCommitment.length() == 32, "conversation commitment must be 32 bytes");
    check(notBefore >= 0 && notBefore < expiresAt && expiresAt <= MAX_TIME,
        "validity must satisfy 0 <= notBefore < expiresAt <= " + MAX_TIME);
    check(parties.size() >= MIN_PARTIES && parties.size() <= MAX_PARTIES,
        "an agreement has " + MIN_PARTIES + ".." + MAX_PARTIES + " parties, not " + parties.size());
    List<Party> sorted = new ArrayList<>(parties);
    sorted.forEach(p -> Objects.requireNonNull(p, "party"));
    sorted.sort(BY_FINGERPRINT);
    for (int i = 0; i < sorted.size(); i++) {
      for (int j = i + 1; j < sorted.size(); j++) {
        Party a = sorted.get(i);
        Party b = sorted.get(j);
        check(BY_FINGERPRINT.compare(a, b) != 0, "a party is listed twice");
        // Distinct keys, so that no party's signature can be copied into another's entry.
        check(!Arrays.equals(a.identity().ed25519(), b.identity().ed25519()),
            "two parties share an Ed25519 key");
        check(!a.mlDsa65PublicKey().equals(b.mlDsa65PublicKey()),
            "two parties share an ML-DSA-65 key");
      }
    }
    parties = List.copyOf(sorted);
  }

  /**
   * New terms with a fresh random id.
   *
   * @param text the agreement text (any line endings; see {@link AgreementText})
   * @throws MalformedInputException if the text is not acceptable to {@link AgreementText}
   * @throws IllegalArgumentException as the constructor
   */
  public static AgreementTerms propose(String title, String text, List<Party> parties,
      Instant notBefore, Instant expiresAt, Optional<ByteValue> supersedes,
      ByteValue conversationCommitment) throws MalformedInputException {
    byte[] id = new byte[ID_LENGTH];
    RANDOM.nextBytes(id);
    return new AgreementTerms(ByteValue.copyOf(id), title,
        ByteValue.copyOf(Sha256.of(AgreementText.canonical(text))), parties,
        notBefore.getEpochSecond(), expiresAt.getEpochSecond(), supersedes,
        conversationCommitment);
  }

  /** The canonical encoding: the bytes whose hash every party signs. */
  public byte[] encode() {
    return TermsCodec.encode(this);
  }

  /** SHA-256 of {@link #encode()}: what is signed, and what a later agreement supersedes. */
  public ByteValue hash() {
    return ByteValue.copyOf(Sha256.of(encode()));
  }

  /** The index in {@link #parties()} of the party with {@code identity}, if it is one. */
  public OptionalInt indexOf(IdentityPublicKey identity) {
    for (int i = 0; i < parties.size(); i++) {
      if (parties.get(i).identity().equals(identity)) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * Decodes terms from their canonical encoding, checking every identity.
   *
   * @throws MalformedInputException if the bytes are not exactly the canonical encoding of valid
   *     terms
   */
  public static AgreementTerms decode(byte[] encoded) throws MalformedInputException {
    return TermsCodec.decode(encoded);
  }

  private static void check(boolean ok, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(rule);
    }
  }
}
