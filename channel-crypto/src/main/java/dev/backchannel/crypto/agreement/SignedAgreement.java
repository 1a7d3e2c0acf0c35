package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Terms with the party signatures collected so far and, optionally, the canonical text: what an
 * agreement file holds. A value, not a proof: {@link #parse} checks structure only, so that
 * {@link Agreements#verify} can say why a file is invalid; {@link #withSignature} checks the
 * signature it adds.
 *
 * <p>Immutable. The constructor keeps at most one signature per party, sorted by party index,
 * and requires that an embedded text is canonical and matches {@link AgreementTerms#textSha256()}.
 *
 * @param terms the signed terms
 * @param signatures at most one per party, in ascending party order
 * @param text the canonical agreement text ({@link AgreementText}), if embedded
 * @since 0.2
 */
public record SignedAgreement(AgreementTerms terms, List<PartySignature> signatures,
    Optional<ByteValue> text) {

  /**
   * Validates and sorts the signatures.
   *
   * @throws IllegalArgumentException if a signature names no party, two name the same party, or
   *     the text is not canonical or does not match the terms
   */
  public SignedAgreement {
    Objects.requireNonNull(terms, "terms");
    Objects.requireNonNull(text, "text");
    List<PartySignature> sorted = new ArrayList<>(signatures);
    sorted.forEach(s -> Objects.requireNonNull(s, "signature"));
    sorted.sort(Comparator.comparingInt(PartySignature::partyIndex));
    for (int i = 0; i < sorted.size(); i++) {
      if (sorted.get(i).partyIndex() >= terms.parties().size()) {
        throw new IllegalArgumentException(
            "signature names party " + sorted.get(i).partyIndex() + " of "
                + terms.parties().size());
      }
      if (i > 0 && sorted.get(i - 1).partyIndex() == sorted.get(i).partyIndex()) {
        throw new IllegalArgumentException("two signatures for party " + sorted.get(i).partyIndex());
      }
    }
    signatures = List.copyOf(sorted);
    if (text.isPresent()) {
      byte[] t = text.get().raw();
      if (!AgreementText.isCanonical(t)) {
        throw new IllegalArgumentException("embedded text is not canonical");
      }
      if (!ByteValue.copyOf(Sha256.of(t)).equals(terms.textSha256())) {
        throw new IllegalArgumentException("embedded text does not match the terms' text hash");
      }
    }
  }

  /** Unsigned terms without text. */
  public static SignedAgreement of(AgreementTerms terms) {
    return new SignedAgreement(terms, List.of(), Optional.empty());
  }

  /**
   * This agreement with {@code text} embedded (in canonical form).
   *
   * @throws MalformedInputException if the text is not acceptable to {@link AgreementText}
   * @throws IllegalArgumentException if it does not match the terms' text hash
   */
  public SignedAgreement withText(byte[] text) throws MalformedInputException {
    return new SignedAgreement(terms, signatures,
        Optional.of(ByteValue.copyOf(AgreementText.canonical(text))));
  }

  /**
   * This agreement with {@code signature} added, after checking it; a signature the party already
   * gave is replaced.
   *
   * @throws AuthenticationFailedException if it is not a valid hybrid signature of these terms by
   *     the party it names
   */
  public SignedAgreement withSignature(PartySignature signature)
      throws AuthenticationFailedException {
    if (signature.partyIndex() >= terms.parties().size()
        || !SignatureDomain.verify(terms.parties().get(signature.partyIndex()),
            terms.hash().raw(), signature)) {
      throw new AuthenticationFailedException("agreement signature is invalid");
    }
    List<PartySignature> all = new ArrayList<>(signatures);
    all.removeIf(s -> s.partyIndex() == signature.partyIndex());
    all.add(signature);
    return new SignedAgreement(terms, all, text);
  }

  /** Whether party {@code index} has a signature here (checked or not). */
  public boolean hasSignatureOf(int index) {
    return signatures.stream().anyMatch(s -> s.partyIndex() == index);
  }

  /** What {@link Agreements#verify(byte[])} says of this agreement's binary file. */
  public Verification verify() {
    return Agreements.verify(toBinary());
  }

  /** The binary file (PROTOCOL.md, "Agreements", "Binary file"). */
  public byte[] toBinary() {
    return AgreementFile.encode(this);
  }

  /** The ASCII-armored file (PROTOCOL.md, "Agreements", "Armored file"), lines ending in LF. */
  public String toArmored() {
    return Armor.armor(toBinary());
  }

  /**
   * Parses a binary or ASCII-armored file, checking its structure but not its signatures.
   *
   * @throws MalformedInputException on anything that is not such a file
   */
  public static SignedAgreement parse(byte[] file) throws MalformedInputException {
    if (file == null) {
      throw new MalformedInputException("no file");
    }
    return AgreementFile.decode(Armor.isArmored(file) ? Armor.dearmor(file) : file);
  }
}
