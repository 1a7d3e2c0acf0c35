package dev.backchannel.benchmarks.crypto;

import dev.backchannel.api.Invitation;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.handshake.SessionStart;
import dev.backchannel.crypto.prekey.PreKeyStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.generators.MLKEMKeyPairGenerator;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMKeyGenerationParameters;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hybrid handshake, both roles and the first message, beside its raw parts measured in the
 * same run: an X25519-only key agreement of the same shape (4 agreements + HKDF) and ML-KEM-768
 * encapsulation + decapsulation. Also invitation encode + parse.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class HandshakeBenchmark {
  private IdentityKeyPair alice;
  private IdentityKeyPair bob;
  private PreKeyStore aliceStore;
  private final byte[] context = new byte[32];
  private final byte[] first = new byte[64];
  private byte[][] dhPrivate;
  private byte[][] dhPublic;
  private Mac hmac;
  private MLKEMPublicKeyParameters kemPublic;
  private MLKEMPrivateKeyParameters kemPrivate;
  private MLKEMGenerator kemGenerator;
  private Invitation invitation;
  private String invitationText;

  @Setup
  public void setUp() throws Exception {
    alice = IdentityKeyPair.generate();
    bob = IdentityKeyPair.generate();
    aliceStore = PreKeyStore.generate(alice);
    SecureRandom r = new SecureRandom();
    dhPrivate = new byte[8][32];
    dhPublic = new byte[8][32];
    for (int i = 0; i < 8; i++) {
      X25519.generatePrivateKey(r, dhPrivate[i]);
      X25519.generatePublicKey(dhPrivate[i], 0, dhPublic[i], 0);
    }
    hmac = Mac.getInstance("HmacSHA256");
    MLKEMKeyPairGenerator g = new MLKEMKeyPairGenerator();
    g.init(new MLKEMKeyGenerationParameters(r, MLKEMParameters.ml_kem_768));
    var kp = g.generateKeyPair();
    kemPublic = (MLKEMPublicKeyParameters) kp.getPublic();
    kemPrivate = (MLKEMPrivateKeyParameters) kp.getPrivate();
    kemGenerator = new MLKEMGenerator(r);
    invitation = Invitation.create(RelayAddress.of(new byte[32], "relay.example.org", 7443),
        alice.publicKey().fingerprint(), Instant.now().plusSeconds(86_400));
    invitationText = invitation.toCompactString();
  }

  /** Full hybrid session setup, both roles: bundle check, handshake, ratchet init, first message. */
  @Benchmark
  public byte[] hybridSessionSetupBothRoles() throws Exception {
    // A fresh bundle object each time, so its signatures are checked every time.
    SessionStart.Started s = SessionStart.initiate(bob, aliceStore.lastResortBundle(alice), context, first);
    return SessionStart.accept(alice, aliceStore, s.initialMessage(), context).firstPayload();
  }

  /** Reference: an X25519-only agreement of the same shape (both roles: 8 agreements + 2 HKDF). */
  @Benchmark
  public byte[] x25519OnlyBothRoles() throws Exception {
    byte[] out = new byte[32];
    byte[] okm = null;
    for (int role = 0; role < 2; role++) {
      hmac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
      for (int i = 0; i < 4; i++) {
        X25519.calculateAgreement(dhPrivate[role * 4 + i], 0, dhPublic[(role * 4 + i + 1) % 8], 0, out, 0);
        hmac.update(out);
      }
      byte[] prk = hmac.doFinal();
      hmac.init(new SecretKeySpec(prk, "HmacSHA256"));
      okm = hmac.doFinal(new byte[] {1});
    }
    return okm;
  }

  /** Baseline: raw ML-KEM-768 encapsulation + decapsulation. */
  @Benchmark
  public byte[] mlKem768EncapsDecaps() {
    SecretWithEncapsulation e = kemGenerator.generateEncapsulated(kemPublic);
    return new MLKEMExtractor(kemPrivate).extractSecret(e.getEncapsulation());
  }

  /** Invitation: compact string encode + parse. */
  @Benchmark
  public Invitation invitationEncodeParse() throws Exception {
    return Invitation.parse(invitation.toCompactString());
  }

  /** Invitation parse alone. */
  @Benchmark
  public Invitation invitationParse() throws Exception {
    return Invitation.parse(invitationText);
  }
}
