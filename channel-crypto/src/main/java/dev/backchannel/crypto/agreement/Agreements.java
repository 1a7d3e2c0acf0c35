package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.MalformedInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The offline verifier of agreement files: pure (no clock, no state, no network), and total: it
 * returns a {@link Verification} for every input and never throws.
 *
 * <p>Checks, in order: the file parses (binary or armored, strict canonical encoding, every
 * party's identity valid); the text, given or embedded, is canonical-equal to the terms' hash;
 * every signature present is a valid Ed25519 and a valid ML-DSA-65 signature of the terms by the
 * party it names (one bad signature makes the file invalid); then {@link
 * Verification.Status#COMPLETE} if every party signed, {@link Verification.Status#OFFER} if some
 * did, {@link Verification.Status#INVALID} if none did. Validity times are reported through the
 * terms, not judged here.
 *
 * <pre>{@code
 * Verification v = Agreements.verify(Files.readAllBytes(file), Files.readAllBytes(text));
 * if (v.status() == Verification.Status.COMPLETE) { ... v.parties() ... }
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.2
 */
public final class Agreements {
  /** The reason given if verification itself broke: never expected, and tested for. */
  static final String INTERNAL_ERROR = "internal error while verifying";

  private Agreements() {}

  /** Verifies {@code file}, checking the embedded text if there is one. */
  public static Verification verify(byte[] file) {
    return verify(file, null);
  }

  /**
   * Verifies {@code file} against {@code text} (any line endings; null to check only an embedded
   * text). An embedded text, if present, is checked too.
   */
  public static Verification verify(byte[] file, byte[] text) {
    try {
      return check(file, text);
    } catch (RuntimeException e) {
      return Verification.invalid(INTERNAL_ERROR);
    }
  }

  private static Verification check(byte[] file, byte[] text) {
    SignedAgreement a;
    try {
      a = SignedAgreement.parse(file);
    } catch (MalformedInputException e) {
      return Verification.invalid("malformed file: " + e.getMessage());
    }
    AgreementTerms terms = a.terms();
    ByteValue termsHash = terms.hash();
    boolean textChecked = a.text().isPresent();
    if (text != null) {
      ByteValue given;
      try {
        given = AgreementText.sha256(text);
      } catch (MalformedInputException e) {
        return result(a, termsHash, Verification.Status.INVALID,
            "the given text is not acceptable: " + e.getMessage(), true, new boolean[0]);
      }
      if (!given.equals(terms.textSha256())) {
        return result(a, termsHash, Verification.Status.INVALID,
            "the given text does not match the agreement (its SHA-256 is " + given.hex()
                + ", the agreement's " + terms.textSha256().hex() + ")", true, new boolean[0]);
      }
      textChecked = true;
    }
    int n = terms.parties().size();
    boolean[] signed = new boolean[n];
    for (PartySignature s : a.signatures()) {
      Party p = terms.parties().get(s.partyIndex());
      if (!SignatureDomain.verify(p, termsHash.raw(), s)) {
        return result(a, termsHash, Verification.Status.INVALID,
            "the signature of party " + (s.partyIndex() + 1) + " (" + p.label()
                + ") does not verify", textChecked, new boolean[0]);
      }
      signed[s.partyIndex()] = true;
    }
    int count = a.signatures().size();
    if (count == 0) {
      return result(a, termsHash, Verification.Status.INVALID, "no party has signed",
          textChecked, signed);
    }
    if (count < n) {
      StringJoiner missing = new StringJoiner(", ");
      for (int i = 0; i < n; i++) {
        if (!signed[i]) {
          missing.add(terms.parties().get(i).label());
        }
      }
      return result(a, termsHash, Verification.Status.OFFER,
          "signed by " + count + " of " + n + " parties; not yet by " + missing, textChecked,
          signed);
    }
    return result(a, termsHash, Verification.Status.COMPLETE, "signed by all " + n + " parties",
        textChecked, signed);
  }

  /** A result naming the parties; {@code signed} shorter than the party list means none. */
  private static Verification result(SignedAgreement a, ByteValue termsHash,
      Verification.Status status, String reason, boolean textChecked, boolean[] signed) {
    List<Verification.PartyStatus> parties = new ArrayList<>();
    for (int i = 0; i < a.terms().parties().size(); i++) {
      Party p = a.terms().parties().get(i);
      parties.add(new Verification.PartyStatus(p.fingerprint(), p.label(), p.role(),
          i < signed.length && signed[i]));
    }
    return new Verification(status, reason, a.terms().title(),
        Optional.of(a.terms().textSha256()), textChecked, Optional.of(termsHash), parties);
  }
}
