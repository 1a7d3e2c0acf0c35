package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.IdentityPublicKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The canonical encoding of {@link AgreementTerms} (PROTOCOL.md, "Agreements", "Terms"):
 *
 * <pre>
 * terms = u8 version (1) || id[16] || len16(title) || text_sha256[32]
 *      || u64 not_before || u64 expires_at
 *      || u8 has_supersedes (0 or 1) || supersedes[32] if 1
 *      || conversation_commitment[32]
 *      || u8 n || party[0] || ... || party[n-1]      (ascending by fingerprint)
 * party = u8 len(label) || label || u8 role || identity[128] || ml_dsa_65_public[1952]
 * </pre>
 */
final class TermsCodec {
  /** An upper bound on the encoding of any valid terms. */
  static final int MAX_LENGTH = 1 + AgreementTerms.ID_LENGTH + 2 + AgreementTerms.MAX_TITLE_BYTES
      + 32 + 8 + 8 + 1 + 32 + 32 + 1
      + AgreementTerms.MAX_PARTIES * (1 + Party.MAX_LABEL_BYTES + 1
          + IdentityPublicKey.ENCODED_LENGTH + MlDsa65.PUBLIC_KEY_LENGTH);

  private TermsCodec() {}

  static byte[] encode(AgreementTerms t) {
    ByteWriter w = new ByteWriter();
    byte[] title = t.title().getBytes(StandardCharsets.UTF_8);
    w.u8(AgreementTerms.VERSION).bytes(t.id().raw()).u16(title.length).bytes(title)
        .bytes(t.textSha256().raw()).u64(t.notBefore()).u64(t.expiresAt());
    if (t.supersedes().isPresent()) {
      w.u8(1).bytes(t.supersedes().get().raw());
    } else {
      w.u8(0);
    }
    w.bytes(t.conversationCommitment().raw()).u8(t.parties().size());
    for (Party p : t.parties()) {
      byte[] label = p.label().getBytes(StandardCharsets.UTF_8);
      w.u8(label.length).bytes(label).u8(p.role().code()).bytes(p.identity().encoded())
          .bytes(p.mlDsa65PublicKey().raw());
    }
    return w.toByteArray();
  }

  static AgreementTerms decode(byte[] in) throws MalformedInputException {
    if (in == null || in.length == 0 || in.length > MAX_LENGTH) {
      throw new MalformedInputException("terms must be 1.." + MAX_LENGTH + " bytes");
    }
    ByteReader r = new ByteReader(in, "terms");
    int version = r.u8();
    if (version != AgreementTerms.VERSION) {
      throw new MalformedInputException("terms have unsupported version " + version);
    }
    ByteValue id = ByteValue.copyOf(r.bytes(AgreementTerms.ID_LENGTH));
    String title = DisplayText.decode("title", r.bytes(r.u16()), AgreementTerms.MAX_TITLE_BYTES);
    ByteValue textHash = ByteValue.copyOf(r.bytes(32));
    long notBefore = time(r.u64());
    long expiresAt = time(r.u64());
    int flag = r.u8();
    if (flag > 1) {
      throw new MalformedInputException("supersedes flag must be 0 or 1, is " + flag);
    }
    Optional<ByteValue> supersedes =
        flag == 1 ? Optional.of(ByteValue.copyOf(r.bytes(32))) : Optional.empty();
    ByteValue commitment = ByteValue.copyOf(r.bytes(32));
    int n = r.u8();
    if (n < AgreementTerms.MIN_PARTIES || n > AgreementTerms.MAX_PARTIES) {
      throw new MalformedInputException("terms list " + n + " parties");
    }
    List<Party> parties = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String label = DisplayText.decode("party label", r.bytes(r.u8()), Party.MAX_LABEL_BYTES);
      PartyRole role = PartyRole.ofCode(r.u8());
      IdentityPublicKey identity = identity(r.bytes(IdentityPublicKey.ENCODED_LENGTH));
      ByteValue mlDsa = ByteValue.copyOf(r.bytes(MlDsa65.PUBLIC_KEY_LENGTH));
      parties.add(new Party(label, role, identity, mlDsa));
    }
    r.end();
    AgreementTerms terms;
    try {
      terms = new AgreementTerms(id, title, textHash, parties, notBefore, expiresAt, supersedes,
          commitment);
    } catch (IllegalArgumentException e) {
      throw new MalformedInputException("terms are invalid: " + e.getMessage());
    }
    if (!Arrays.equals(encode(terms), in)) {
      throw new MalformedInputException("terms are not in canonical order");
    }
    return terms;
  }

  private static long time(long t) throws MalformedInputException {
    if (t < 0 || t > AgreementTerms.MAX_TIME) {
      throw new MalformedInputException("time is out of range");
    }
    return t;
  }

  private static IdentityPublicKey identity(byte[] encoded) throws MalformedInputException {
    try {
      return IdentityPublicKey.parse(encoded);
    } catch (AuthenticationFailedException e) {
      throw new MalformedInputException("a party's identity signature is invalid");
    }
  }
}
