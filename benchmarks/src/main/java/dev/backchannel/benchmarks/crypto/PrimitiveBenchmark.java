package dev.backchannel.benchmarks.crypto;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.internal.AesGcmAead;
import dev.backchannel.crypto.internal.ChaCha20Poly1305Aead;
import dev.backchannel.crypto.internal.Hmac;
import dev.backchannel.crypto.internal.X25519;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Chooses each primitive's implementation by measurement: each pair below is the candidate we
 * use beside the one we rejected, in the same run (so results read as ratios).
 *
 * <p>This harness reaches into {@code dev.backchannel.crypto.internal} on purpose: it measures
 * the internals, it is not a user of the library.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PrimitiveBenchmark {
  @Param({"1024", "16384"})
  public int size;

  private byte[] key;
  private byte[] nonce;
  private byte[] plaintext;
  private HMac bcHmac;
  private byte[] x25519Private;
  private byte[] x25519Peer;
  private KeyAgreement jdkXdh;
  private KeyPair jdkXdhMine;
  private KeyPair jdkXdhPeer;
  private SecretBytes edPrivate;
  private byte[] edPublic;
  private byte[] edSignature;
  private KeyPair jdkEd;
  private byte[] jdkEdSignature;
  private byte[] message = new byte[64];

  @Setup
  public void setUp() throws Exception {
    SecureRandom r = new SecureRandom();
    key = new byte[32];
    nonce = new byte[12];
    plaintext = new byte[size];
    r.nextBytes(key);
    r.nextBytes(plaintext);
    bcHmac = new HMac(new SHA256Digest());
    x25519Private = X25519.generatePrivateKey();
    x25519Peer = X25519.publicKey(X25519.generatePrivateKey());
    KeyPairGenerator xdh = KeyPairGenerator.getInstance("X25519");
    jdkXdhMine = xdh.generateKeyPair();
    jdkXdhPeer = xdh.generateKeyPair();
    jdkXdh = KeyAgreement.getInstance("X25519");
    edPrivate = Ed25519.generatePrivateKey();
    edPublic = Ed25519.publicKey(edPrivate);
    edSignature = Ed25519.sign(edPrivate, message);
    jdkEd = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(jdkEd.getPrivate());
    s.update(message);
    jdkEdSignature = s.sign();
    KeyFactory.getInstance("Ed25519");
  }

  private long counter;

  /** A fresh nonce per seal: the JDK rightly refuses to reuse a (key, nonce) pair. */
  private byte[] nextNonce() {
    long n = ++counter;
    for (int i = 0; i < 8; i++) {
      nonce[11 - i] = (byte) (n >>> (8 * i));
    }
    return nonce;
  }

  /** JDK AES-256-GCM seal + open (chosen). */
  @Benchmark
  public byte[] aesGcmSealOpen() throws AuthenticationFailedException {
    byte[] iv = nextNonce();
    byte[] c = AesGcmAead.INSTANCE.seal(key, iv, null, plaintext);
    return AesGcmAead.INSTANCE.open(key, iv, null, c);
  }

  /** Bouncy Castle ChaCha20-Poly1305 seal + open (alternative). */
  @Benchmark
  public byte[] chacha20Poly1305SealOpen() throws AuthenticationFailedException {
    byte[] iv = nextNonce();
    byte[] c = ChaCha20Poly1305Aead.INSTANCE.seal(key, iv, null, plaintext);
    return ChaCha20Poly1305Aead.INSTANCE.open(key, iv, null, c);
  }

  /** JDK HMAC-SHA256 (chosen). */
  @Benchmark
  public byte[] hmacJdk() {
    return Hmac.mac(key, plaintext);
  }

  /** Bouncy Castle HMAC-SHA256 (alternative). */
  @Benchmark
  public byte[] hmacBouncyCastle() {
    bcHmac.init(new KeyParameter(key));
    bcHmac.update(plaintext, 0, plaintext.length);
    byte[] out = new byte[32];
    bcHmac.doFinal(out, 0);
    return out;
  }

  /** Bouncy Castle X25519 agreement (chosen). */
  @Benchmark
  public byte[] x25519BouncyCastle() throws Exception {
    return X25519.agree(x25519Private, x25519Peer);
  }

  /** JDK XDH X25519 agreement (alternative). */
  @Benchmark
  public byte[] x25519Jdk() throws Exception {
    jdkXdh.init(jdkXdhMine.getPrivate());
    jdkXdh.doPhase(jdkXdhPeer.getPublic(), true);
    return jdkXdh.generateSecret();
  }

  /** Bouncy Castle Ed25519 sign (chosen). */
  @Benchmark
  public byte[] ed25519SignBouncyCastle() {
    return Ed25519.sign(edPrivate, message);
  }

  /** JDK EdDSA sign (alternative). */
  @Benchmark
  public byte[] ed25519SignJdk() throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(jdkEd.getPrivate());
    s.update(message);
    return s.sign();
  }

  /** Bouncy Castle Ed25519 verify (chosen). */
  @Benchmark
  public boolean ed25519VerifyBouncyCastle() {
    return Ed25519.verify(edPublic, message, edSignature);
  }

  /** JDK EdDSA verify (alternative). */
  @Benchmark
  public boolean ed25519VerifyJdk() throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initVerify(jdkEd.getPublic());
    s.update(message);
    return s.verify(jdkEdSignature);
  }
}
