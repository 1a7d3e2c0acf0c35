package dev.backchannel.benchmarks.peers;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
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
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyBundle;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;
import org.signal.libsignal.protocol.state.impl.InMemorySignalProtocolStore;

/**
 * Session setup of two other Signal Protocol implementations, both roles and the first message,
 * to read beside {@code HandshakeBenchmark} in the same run: {@code libsignal-client} 0.86.5
 * (Rust through JNI; PQXDH with X25519 and a Kyber-1024 pre-key) and {@code signal-protocol-java}
 * 2.8.1 (pure Java; X3DH, no post-quantum part). Driven only through each library's public API,
 * with fresh in-memory stores every invocation; each returns the first message as Bob decrypted
 * it.
 *
 * <ul>
 *   <li>{@code sessionSetup}: all a first contact costs: Alice's and Bob's identity keys, Bob's
 *       signed pre-key and one-time pre-key (and signed Kyber pre-key for libsignal-client) with
 *       their signatures, the bundle, Alice processing it ({@code SessionBuilder.process}, which
 *       verifies the signatures), Alice encrypting a first 64-byte message, and Bob parsing and
 *       decrypting that {@code PreKeySignalMessage}.
 *   <li>{@code sessionSetupFromBundle}: the same without key generation: identities, pre-keys and
 *       bundle are made once before the measurement, and every invocation puts the pre-key
 *       records into fresh stores. This is the shape of
 *       {@code HandshakeBenchmark.hybridSessionSetupBothRoles}, which starts from a published
 *       bundle too.
 * </ul>
 *
 * <p>signal-protocol-java runs in a class loader of its own ({@link IsolatedSignalProtocolJava}).
 * Licences: {@code libsignal-client} is AGPL-3.0 and {@code signal-protocol-java} is GPL-3.0.
 * They are used only in the {@code -Ppeers} Maven profile (source directory
 * {@code benchmarks/src/peers/java}), which the default build and the published artifacts never
 * touch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SignalPeersSetupBenchmark {
  private final byte[] first = new byte[64];

  @Setup
  public void setUp() {
    new Random(0x5EEDL).nextBytes(first);
  }

  /** Bob's published libsignal-client bundle, with his pre-key records serialized. */
  @State(Scope.Thread)
  public static class LibsignalClientBundle {
    IdentityKeyPair alice;
    IdentityKeyPair bob;
    PreKeyBundle bundle;
    byte[] signedPreKey;
    byte[] oneTimePreKey;
    byte[] kyberPreKey;

    @Setup
    public void setUp() throws Exception {
      alice = IdentityKeyPair.generate();
      bob = IdentityKeyPair.generate();
      InMemorySignalProtocolStore published =
          new InMemorySignalProtocolStore(bob, LibsignalClientPeers.BOB_REGISTRATION);
      bundle = LibsignalClientPeers.publishBundle(published, bob);
      signedPreKey = published.loadSignedPreKey(LibsignalClientPeers.SIGNED_PRE_KEY_ID).serialize();
      oneTimePreKey = published.loadPreKey(LibsignalClientPeers.ONE_TIME_PRE_KEY_ID).serialize();
      kyberPreKey = published.loadKyberPreKey(LibsignalClientPeers.KYBER_PRE_KEY_ID).serialize();
    }
  }

  /** The two signal-protocol-java setups, in their own class loader. */
  @State(Scope.Thread)
  public static class SignalProtocolJavaSetups {
    UnaryOperator<byte[]> sessionSetup;
    UnaryOperator<byte[]> sessionSetupFromBundle;

    @Setup
    public void setUp() throws Exception {
      sessionSetup = IsolatedSignalProtocolJava.call("sessionSetup");
      sessionSetupFromBundle = IsolatedSignalProtocolJava.call("sessionSetupFromBundle");
      byte[] probe = {4, 5, 6};
      LibsignalClientPeers.require(
          Arrays.equals(sessionSetup.apply(probe), probe)
              && Arrays.equals(sessionSetupFromBundle.apply(probe), probe),
          "the first message back from Bob (signal-protocol-java)");
    }
  }

  /** libsignal-client: key generation, bundle, PQXDH both roles, first message. */
  @Benchmark
  public byte[] libsignalClient_sessionSetup() throws Exception {
    IdentityKeyPair bobIdentity = IdentityKeyPair.generate();
    InMemorySignalProtocolStore bobStore =
        new InMemorySignalProtocolStore(bobIdentity, LibsignalClientPeers.BOB_REGISTRATION);
    PreKeyBundle bundle = LibsignalClientPeers.publishBundle(bobStore, bobIdentity);
    InMemorySignalProtocolStore aliceStore =
        new InMemorySignalProtocolStore(
            IdentityKeyPair.generate(), LibsignalClientPeers.ALICE_REGISTRATION);
    return LibsignalClientPeers.handshake(aliceStore, bobStore, bundle, first);
  }

  /** libsignal-client: PQXDH both roles and first message, from a published bundle. */
  @Benchmark
  public byte[] libsignalClient_sessionSetupFromBundle(LibsignalClientBundle b) throws Exception {
    InMemorySignalProtocolStore bobStore =
        new InMemorySignalProtocolStore(b.bob, LibsignalClientPeers.BOB_REGISTRATION);
    bobStore.storeSignedPreKey(
        LibsignalClientPeers.SIGNED_PRE_KEY_ID, new SignedPreKeyRecord(b.signedPreKey));
    bobStore.storePreKey(
        LibsignalClientPeers.ONE_TIME_PRE_KEY_ID, new PreKeyRecord(b.oneTimePreKey));
    bobStore.storeKyberPreKey(
        LibsignalClientPeers.KYBER_PRE_KEY_ID, new KyberPreKeyRecord(b.kyberPreKey));
    InMemorySignalProtocolStore aliceStore =
        new InMemorySignalProtocolStore(b.alice, LibsignalClientPeers.ALICE_REGISTRATION);
    return LibsignalClientPeers.handshake(aliceStore, bobStore, b.bundle, first);
  }

  /** signal-protocol-java: key generation, bundle, X3DH both roles, first message. */
  @Benchmark
  public byte[] signalProtocolJava_sessionSetup(SignalProtocolJavaSetups s) {
    return s.sessionSetup.apply(first);
  }

  /** signal-protocol-java: X3DH both roles and first message, from a published bundle. */
  @Benchmark
  public byte[] signalProtocolJava_sessionSetupFromBundle(SignalProtocolJavaSetups s) {
    return s.sessionSetupFromBundle.apply(first);
  }
}
