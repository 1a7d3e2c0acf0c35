package dev.backchannel.benchmarks.crypto;

import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.envelope.Envelope;
import dev.backchannel.crypto.envelope.EnvelopeSealer;
import dev.backchannel.crypto.ratchet.RatchetSeed;
import dev.backchannel.crypto.ratchet.RatchetState;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;
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
 * The Double Ratchet against its limit: one message encrypted by one side and decrypted by the
 * other, beside raw AES-256-GCM seal + open of the same size in the same run (the baseline), so
 * the protocol's cost reads as a ratio. Also with the receiver's state serialized and restored
 * every message (what a durable runtime does), ping-pong (a DH ratchet step every message) and
 * the padded envelope.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class RatchetBenchmark {
  @Param({"64", "1024", "16384", "65536"})
  public int size;

  private final byte[] mailbox = new byte[32];
  private byte[] payload;
  private RatchetState sender;
  private RatchetState receiver;
  private RatchetState ping;
  private RatchetState pong;
  private Cipher gcm;
  private byte[] key;
  private byte[] nonce;
  private long counter;
  private boolean pingTurn = true;

  static RatchetState[] pair() throws Exception {
    SecureRandom r = new SecureRandom();
    byte[] spk = new byte[32];
    X25519.generatePrivateKey(r, spk);
    byte[] spkPublic = new byte[32];
    X25519.generatePublicKey(spk, 0, spkPublic, 0);
    byte[] ad = new byte[161];
    try (SecretBytes root = SecretBytes.random(32);
        SecretBytes ihk = SecretBytes.random(32);
        SecretBytes rhk = SecretBytes.random(32);
        SecretBytes spkSecret = SecretBytes.wrap(spk, InsecureSecretAccess.get());
        RatchetSeed a = new RatchetSeed(root.copy(), ihk.copy(), rhk.copy(), ad);
        RatchetSeed b = new RatchetSeed(root.copy(), ihk.copy(), rhk.copy(), ad)) {
      RatchetState initiator = RatchetState.initiator(a, spkPublic);
      RatchetState responder = RatchetState.responder(b, spkSecret);
      responder.decrypt(initiator.encrypt(new byte[1], new byte[32]), new byte[32]);
      return new RatchetState[] {initiator, responder};
    }
  }

  @Setup
  public void setUp() throws Exception {
    payload = new byte[size];
    new SecureRandom().nextBytes(payload);
    RatchetState[] p = pair();
    sender = p[0];
    receiver = p[1];
    RatchetState[] q = pair();
    ping = q[0];
    pong = q[1];
    gcm = Cipher.getInstance("AES/GCM/NoPadding");
    key = new byte[32];
    nonce = new byte[12];
  }

  /** Baseline: raw JDK AES-256-GCM seal + open of the same payload. */
  @Benchmark
  public byte[] baselineAesGcm() throws Exception {
    long n = ++counter;
    for (int i = 0; i < 8; i++) {
      nonce[11 - i] = (byte) (n >>> (8 * i));
    }
    SecretKeySpec k = new SecretKeySpec(key, "AES");
    gcm.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(128, nonce));
    byte[] c = gcm.doFinal(payload);
    gcm.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, nonce));
    return gcm.doFinal(c);
  }

  /** One message, one way: encrypt, then decrypt on the other side. */
  @Benchmark
  public byte[] oneWay() throws Exception {
    return receiver.decrypt(sender.encrypt(payload, mailbox), mailbox).plaintext();
  }

  /** One way, with the receiver's state serialized and parsed back on every message. */
  @Benchmark
  public byte[] oneWayWithStateSerialization() throws Exception {
    byte[] m = sender.encrypt(payload, mailbox);
    receiver = RatchetState.parse(receiver.toByteArray());
    return receiver.decrypt(m, mailbox).plaintext();
  }

  /** Ping-pong: the direction changes every message, so every message carries a DH step. */
  @Benchmark
  public byte[] pingPong() throws Exception {
    RatchetState from = pingTurn ? ping : pong;
    RatchetState to = pingTurn ? pong : ping;
    pingTurn = !pingTurn;
    return to.decrypt(from.encrypt(payload, mailbox), mailbox).plaintext();
  }

  /** The padded envelope: seal + open (payloads up to the 64 KiB envelope limit). */
  @Benchmark
  public byte[] envelopeSealOpen() throws Exception {
    byte[] p = size > 65536 - 64 ? java.util.Arrays.copyOf(payload, 65536 - 64) : payload;
    Envelope e = EnvelopeSealer.seal(sender, mailbox, p);
    return EnvelopeSealer.open(receiver, e).plaintext();
  }
}
