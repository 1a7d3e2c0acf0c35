package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.agreement.AgreementKeys;
import dev.backchannel.crypto.agreement.AgreementTerms;
import dev.backchannel.crypto.agreement.ConversationCommitment;
import dev.backchannel.crypto.agreement.PartyRole;
import dev.backchannel.crypto.agreement.SignedAgreement;
import dev.backchannel.examples.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code backchannel verify FILE [--text F]} through the real command line ({@link Main}): the
 * output lines and exit codes of the fixed contract for complete, tampered, mismatched, partly
 * signed, malformed and missing files.
 */
class VerifyCommandTest {
  private static final String TEXT = "We agree.\r\nSigned in good faith.\r\n";

  private static IdentityKeyPair alice;
  private static IdentityKeyPair bob;
  private static SignedAgreement complete;
  private static SignedAgreement offer;

  @TempDir Path dir;

  /** The result of one command. */
  record Run(int exit, String out, String err) {}

  @BeforeAll
  static void makeAgreements() throws Exception {
    alice = IdentityKeyPair.generate();
    bob = IdentityKeyPair.generate();
    try (AgreementKeys a = AgreementKeys.derive(alice); AgreementKeys b = AgreementKeys.derive(bob)) {
      AgreementTerms terms = AgreementTerms.propose("Water rights", TEXT,
          List.of(a.party("Upstream", PartyRole.SIGNATORY), b.party("Downstream", PartyRole.SIGNATORY)),
          Instant.ofEpochSecond(1_767_225_600L), Instant.ofEpochSecond(1_798_761_600L),
          Optional.empty(), ConversationCommitment.commit(ConversationCommitment.newSalt(), new byte[32]));
      offer = SignedAgreement.of(terms).withSignature(a.sign(terms));
      complete = offer.withSignature(b.sign(terms));
    }
  }

  @AfterAll
  static void close() {
    alice.close();
    bob.close();
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private Path write(String name, byte[] bytes) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private static String fp(IdentityKeyPair k) {
    return HexFormat.of().formatHex(k.publicKey().fingerprint());
  }

  @Test
  void aCompleteAgreementIsValidInBothFormsWithOneLinePerParty() throws Exception {
    Path text = write("agreement.txt", TEXT.getBytes(StandardCharsets.UTF_8));
    for (Path f : List.of(write("a.bcagree", complete.toBinary()),
        write("a.bcagree.asc", complete.toArmored().getBytes(StandardCharsets.US_ASCII)))) {
      Run r = run("verify", f.toString(), "--text", text.toString());
      assertThat(r.exit()).isZero();
      assertThat(r.out().lines().toList()).first().isEqualTo("valid: Water rights");
      assertThat(r.out().lines().toList()).hasSize(3).contains(
          "signed-by: " + fp(alice) + " Upstream", "signed-by: " + fp(bob) + " Downstream");
      assertThat(r.err()).isEmpty();
    }
  }

  @Test
  void withoutTextItIsValidAndSaysOnlyTheHashWasChecked() throws Exception {
    Run r = run("verify", write("a.bcagree", complete.toBinary()).toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("valid: Water rights\n");
    assertThat(r.err()).contains("note: no text").contains(complete.terms().textSha256().hex());
    Run embedded = run("verify",
        write("e.bcagree", complete.withText(TEXT.getBytes(StandardCharsets.UTF_8)).toBinary()).toString());
    assertThat(embedded.exit()).isZero();
    assertThat(embedded.err()).isEmpty();
  }

  @Test
  void aChangedByteIsInvalid() throws Exception {
    byte[] f = complete.toBinary();
    for (int i : new int[] {0, 40, f.length / 2, f.length - 2}) {
      byte[] t = f.clone();
      t[i] ^= 1;
      Run r = run("verify", write("t.bcagree", t).toString());
      assertThat(r.exit()).as("byte %d", i).isEqualTo(1);
      assertThat(r.out()).startsWith("invalid: ");
    }
  }

  @Test
  void aTextThatDoesNotMatchIsInvalid() throws Exception {
    Path f = write("a.bcagree", complete.toBinary());
    Path other = write("other.txt", "We agree.\nSigned in bad faith.\n".getBytes(StandardCharsets.UTF_8));
    Run r = run("verify", f.toString(), "--text", other.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).startsWith("invalid: the given text does not match");
  }

  @Test
  void aFailingSignatureIsInvalid() throws Exception {
    var s = complete.signatures().get(0);
    var bad = new dev.backchannel.crypto.agreement.PartySignature(s.partyIndex(), s.ed25519(),
        complete.signatures().get(1).mlDsa65());
    SignedAgreement forged = new SignedAgreement(complete.terms(),
        List.of(bad, complete.signatures().get(1)), Optional.empty());
    Run r = run("verify", write("f.bcagree", forged.toBinary()).toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).startsWith("invalid: the signature of party ").contains("does not verify");
  }

  @Test
  void anOfferIsIncomplete() throws Exception {
    Run r = run("verify", write("o.bcagree", offer.toBinary()).toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEqualTo("incomplete: signed by 1 of 2 parties; not yet by Downstream\n");
  }

  @Test
  void malformedAndMissingFilesAreInvalid() throws Exception {
    Run garbage = run("verify", write("g.bcagree", "not an agreement".getBytes(StandardCharsets.UTF_8)).toString());
    assertThat(garbage.exit()).isEqualTo(1);
    assertThat(garbage.out()).startsWith("invalid: malformed file: ");
    String armored = complete.toArmored();
    Run cut = run("verify", write("c.asc", armored.substring(0, armored.length() - 10)
        .getBytes(StandardCharsets.US_ASCII)).toString());
    assertThat(cut.exit()).isEqualTo(1);
    assertThat(cut.out()).startsWith("invalid: malformed file: ");
    Run missing = run("verify", dir.resolve("absent.bcagree").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.out()).startsWith("invalid: cannot read ").contains("no such file");
  }
}
