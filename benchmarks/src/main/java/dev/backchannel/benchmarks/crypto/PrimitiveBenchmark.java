package dev.backchannel.benchmarks.crypto;

import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.math.ec.rfc7748.X25519;
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
 * <p>The symmetric candidates are called exactly as {@code channel-crypto}'s internal wrappers
 * call them (JDK {@code AES/GCM/NoPadding} and {@code HmacSHA256}, Bouncy Castle's lightweight
 * {@code ChaCha20Poly1305}, {@code HMac} and {@code X25519}), so this module needs no access to
 * another module's internals; Ed25519 goes through the public {@link Ed25519}.
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
  private Cipher gcm;
  private Mac jdkHmac;
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
    gcm = Cipher.getInstance("AES/GCM/NoPadding");
    jdkHmac = Mac.getInstance("HmacSHA256");
    x25519Private = new byte[32];
    X25519.generatePrivateKey(r, x25519Private);
    byte[] other = new byte[32];
    X25519.generatePrivateKey(r, other);
    x25519Peer = new byte[32];
    X25519.generatePublicKey(other, 0, x25519Peer, 0);
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
  public byte[] aesGcmSealOpen() throws Exception {
    byte[] iv = nextNonce();
    SecretKeySpec k = new SecretKeySpec(key, "AES");
    gcm.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(128, iv));
    byte[] c = gcm.doFinal(plaintext);
    gcm.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, iv));
    return gcm.doFinal(c);
  }

  /** Bouncy Castle ChaCha20-Poly1305 seal + open (alternative). */
  @Benchmark
  public byte[] chacha20Poly1305SealOpen() throws Exception {
    byte[] iv = nextNonce();
    ChaCha20Poly1305 enc = new ChaCha20Poly1305();
    enc.init(true, new AEADParameters(new KeyParameter(key), 128, iv, null));
    byte[] c = new byte[enc.getOutputSize(plaintext.length)];
    enc.doFinal(c, enc.processBytes(plaintext, 0, plaintext.length, c, 0));
    ChaCha20Poly1305 dec = new ChaCha20Poly1305();
    dec.init(false, new AEADParameters(new KeyParameter(key), 128, iv, null));
    byte[] p = new byte[dec.getOutputSize(c.length)];
    dec.doFinal(p, dec.processBytes(c, 0, c.length, p, 0));
    return p;
  }

  /** JDK HMAC-SHA256 (chosen). */
  @Benchmark
  public byte[] hmacJdk() throws Exception {
    jdkHmac.init(new SecretKeySpec(key, "HmacSHA256"));
    return jdkHmac.doFinal(plaintext);
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
  public byte[] x25519BouncyCastle() {
    byte[] out = new byte[32];
    X25519.calculateAgreement(x25519Private, 0, x25519Peer, 0, out, 0);
    return out;
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
