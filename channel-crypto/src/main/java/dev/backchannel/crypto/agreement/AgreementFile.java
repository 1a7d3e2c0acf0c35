package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.MalformedInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The binary agreement file (PROTOCOL.md, "Agreements", "Binary file"):
 *
 * <pre>
 * file = "BCAG" || u8 format_version (1) || u32 len(terms) || terms
 *     || u8 k || party_signature[0] || ... || party_signature[k-1]   (ascending, distinct index)
 *     || u8 has_text (0 or 1) || u32 len(text) || text if 1          (canonical text)
 * </pre>
 *
 * Nothing may follow. At most {@link #MAX_LENGTH} bytes.
 */
final class AgreementFile {
  static final byte[] MAGIC = {'B', 'C', 'A', 'G'};
  static final int FORMAT_VERSION = 1;
  static final int MAX_LENGTH = 4 + 1 + 4 + TermsCodec.MAX_LENGTH + 1
      + AgreementTerms.MAX_PARTIES * PartySignature.ENCODED_LENGTH + 1 + 4 + AgreementText.MAX_BYTES;

  private AgreementFile() {}

  static byte[] encode(SignedAgreement a) {
    byte[] terms = a.terms().encode();
    ByteWriter w = new ByteWriter().bytes(MAGIC).u8(FORMAT_VERSION).u32(terms.length).bytes(terms)
        .u8(a.signatures().size());
    for (PartySignature s : a.signatures()) {
      w.bytes(s.encode());
    }
    if (a.text().isPresent()) {
      w.u8(1).u32(a.text().get().length()).bytes(a.text().get().raw());
    } else {
      w.u8(0);
    }
    return w.toByteArray();
  }

  static SignedAgreement decode(byte[] in) throws MalformedInputException {
    if (in.length > MAX_LENGTH) {
      throw new MalformedInputException("file is longer than " + MAX_LENGTH + " bytes");
    }
    ByteReader r = new ByteReader(in, "file");
    if (!java.util.Arrays.equals(r.bytes(4), MAGIC)) {
      throw new MalformedInputException("not an agreement file (bad magic)");
    }
    int version = r.u8();
    if (version != FORMAT_VERSION) {
      throw new MalformedInputException("unsupported agreement file version " + version);
    }
    long termsLength = r.u32();
    if (termsLength > TermsCodec.MAX_LENGTH) {
      throw new MalformedInputException("terms are too long");
    }
    AgreementTerms terms = AgreementTerms.decode(r.bytes((int) termsLength));
    int k = r.u8();
    if (k > terms.parties().size()) {
      throw new MalformedInputException("more signatures than parties");
    }
    List<PartySignature> sigs = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      PartySignature s = PartySignature.read(r);
      if (!sigs.isEmpty() && s.partyIndex() <= sigs.get(sigs.size() - 1).partyIndex()) {
        throw new MalformedInputException("signatures are not in ascending party order");
      }
      sigs.add(s);
    }
    int flag = r.u8();
    Optional<ByteValue> text;
    if (flag == 0) {
      text = Optional.empty();
    } else if (flag == 1) {
      long n = r.u32();
      if (n < 1 || n > AgreementText.MAX_BYTES) {
        throw new MalformedInputException("embedded text must be 1.." + AgreementText.MAX_BYTES
            + " bytes");
      }
      text = Optional.of(ByteValue.copyOf(r.bytes((int) n)));
    } else {
      throw new MalformedInputException("text flag must be 0 or 1, is " + flag);
    }
    r.end();
    try {
      return new SignedAgreement(terms, sigs, text);
    } catch (IllegalArgumentException e) {
      throw new MalformedInputException(e.getMessage());
    }
  }
}
