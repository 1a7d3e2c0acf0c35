package dev.backchannel.benchmarks.peers;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
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
 * The Double Ratchet of two other Signal Protocol implementations, to read beside
 * {@code RatchetBenchmark} in the same run: {@code libsignal-client} 0.86.5 (Signal's Rust
 * implementation through JNI; session from PQXDH) and {@code signal-protocol-java} 2.8.1 (the
 * former pure-Java implementation; session from X3DH). Both are driven only through their public
 * API with their own in-memory stores. Those stores keep each session serialized and parse it on
 * every load, so every message here includes a session-record parse and serialize on both sides
 * (closest to {@code RatchetBenchmark.oneWayWithStateSerialization}). Each ciphertext travels in
 * its wire form: serialized by the sender, parsed by the receiver.
 *
 * <ul>
 *   <li>{@code oneWay}: Alice encrypts a {@code size}-byte pseudo-random message, Bob decrypts it;
 *       always Alice to Bob, so no DH ratchet step per message. The session is set up, and Bob
 *       has replied once, before the measurement, so these are plain {@code SignalMessage}s, not
 *       pre-key messages.
 *   <li>{@code pingPong}: the direction changes every call (Alice to Bob, then Bob to Alice), so
 *       every message carries a DH ratchet step.
 * </ul>
 *
 * <p>Each returns the decrypted plaintext. Session setup is measured in
 * {@link SignalPeersSetupBenchmark}. signal-protocol-java runs in a class loader of its own
 * ({@link IsolatedSignalProtocolJava}: its protobuf-lite 3.10 classes do not run on
 * Backchannel's protobuf 4.x), called through a JDK {@code UnaryOperator}.
 *
 * <p>Licences: {@code libsignal-client} is AGPL-3.0 and {@code signal-protocol-java} is GPL-3.0.
 * They are used only here, in the {@code -Ppeers} Maven profile (source directory
 * {@code benchmarks/src/peers/java}), which the default build and the published artifacts never
 * touch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SignalPeersBenchmark {
  @Param({"1024", "16384"})
  public int size;

  private byte[] payload;

  @Setup
  public void setUp() {
    payload = new byte[size];
    new Random(0x5EEDL + size).nextBytes(payload);
  }

  /** A libsignal-client session between Alice and Bob, past the pre-key message stage. */
  @State(Scope.Thread)
  public static class LibsignalClientSession {
    LibsignalClientPeers.Pair pair;
    boolean aliceTurn = true;

    @Setup
    public void setUp() throws Exception {
      pair = LibsignalClientPeers.establish();
      byte[] probe = new byte[100];
      new Random(1).nextBytes(probe);
      LibsignalClientPeers.require(
          Arrays.equals(pair.aliceToBob(probe), probe),
          "the plaintext back from Bob (libsignal-client)");
    }
  }

  /** A signal-protocol-java session between Alice and Bob, past the pre-key message stage. */
  @State(Scope.Thread)
  public static class SignalProtocolJavaSession {
    UnaryOperator<byte[]> aliceToBob;
    UnaryOperator<byte[]> bobToAlice;
    boolean aliceTurn = true;

    @Setup
    public void setUp() throws Exception {
      List<UnaryOperator<byte[]>> directions = IsolatedSignalProtocolJava.call("establish");
      aliceToBob = directions.get(0);
      bobToAlice = directions.get(1);
      byte[] probe = new byte[100];
      new Random(1).nextBytes(probe);
      LibsignalClientPeers.require(
          Arrays.equals(aliceToBob.apply(probe), probe),
          "the plaintext back from Bob (signal-protocol-java)");
    }
  }

  /** libsignal-client: Alice encrypts, Bob decrypts; always Alice to Bob. */
  @Benchmark
  public byte[] libsignalClient_oneWay(LibsignalClientSession s) throws Exception {
    return s.pair.aliceToBob(payload);
  }

  /** libsignal-client: the direction changes every message, so every message has a DH step. */
  @Benchmark
  public byte[] libsignalClient_pingPong(LibsignalClientSession s) throws Exception {
    boolean alice = s.aliceTurn;
    s.aliceTurn = !alice;
    return alice ? s.pair.aliceToBob(payload) : s.pair.bobToAlice(payload);
  }

  /** signal-protocol-java: Alice encrypts, Bob decrypts; always Alice to Bob. */
  @Benchmark
  public byte[] signalProtocolJava_oneWay(SignalProtocolJavaSession s) {
    return s.aliceToBob.apply(payload);
  }

  /** signal-protocol-java: the direction changes every message, so every message has a DH step. */
  @Benchmark
  public byte[] signalProtocolJava_pingPong(SignalProtocolJavaSession s) {
    boolean alice = s.aliceTurn;
    s.aliceTurn = !alice;
    return alice ? s.aliceToBob.apply(payload) : s.bobToAlice.apply(payload);
  }
}
