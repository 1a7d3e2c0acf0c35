package dev.backchannel.crypto.prekey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.UnknownSessionException;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.internal.X25519;
import dev.backchannel.crypto.internal.proto.PreKeyBundleProto;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PreKeyBundleTest {
  /** Ed25519 group order L, little-endian arithmetic below. */
  private static final BigInteger L =
      BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));

  /** Low-order X25519 points (from Wycheproof's LowOrderPublic cases). */
  static final String[] LOW_ORDER = {
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };

  @Test
  void bundleRoundTripsAndVerifies() throws Exception {
    try (IdentityKeyPair id = IdentityKeyPair.generate()) {
      PreKeyStore store = PreKeyStore.generate(id);
      PreKeyBundle b = store.newBundle(id);
      PreKeyBundle back = PreKeyBundle.parse(b.toByteArray());
      assertThat(back.identity()).isEqualTo(id.publicKey());
      assertThat(back.oneTimePreKeyId()).isPresent();
      assertThat(back.kemLastResort()).isFalse();
      PreKeyBundle lr = PreKeyBundle.parse(store.lastResortBundle(id).toByteArray());
      assertThat(lr.oneTimePreKeyId()).isEmpty();
      assertThat(lr.kemLastResort()).isTrue();
    }
  }

  /** Checklist 8 and 11: bad, malleated and type-confused signatures are refused. */
  @Test
  void badSignaturesAndKeyConfusionAreRefused() throws Exception {
    try (IdentityKeyPair id = IdentityKeyPair.generate();
        IdentityKeyPair other = IdentityKeyPair.generate()) {
      PreKeyStore store = PreKeyStore.generate(id);
      PreKeyBundleProto good = PreKeyBundleProto.parseFrom(store.newBundle(id).toByteArray());

      // Signature by another identity.
      PreKeyBundleProto otherSigned = PreKeyBundleProto.parseFrom(
          PreKeyStore.generate(other).newBundle(other).toByteArray());
      expectAuth(good.toBuilder().setSignedPrekeySignature(otherSigned.getSignedPrekeySignature()));
      expectAuth(good.toBuilder().setKemPrekeySignature(otherSigned.getKemPrekeySignature()));
      // A flipped bit in a key.
      byte[] spk = good.getSignedPrekey().toByteArray();
      spk[3] ^= 1;
      expectAuth(good.toBuilder().setSignedPrekey(ByteString.copyFrom(spk)));
      // Malleated signature: S + L is the same point equation but must be refused.
      expectAuth(good.toBuilder().setSignedPrekeySignature(
          ByteString.copyFrom(malleate(good.getSignedPrekeySignature().toByteArray()))));
      // The one-time KEM key presented as last resort: the type tag differs, so does the message.
      expectAuth(good.toBuilder().setKemPrekeyLastResort(true));
      // An X25519 key in the KEM slot, a KEM key in the X25519 slot: wrong lengths.
      expectMalformed(good.toBuilder().setKemPrekey(good.getSignedPrekey()));
      expectMalformed(good.toBuilder().setSignedPrekey(good.getKemPrekey()));
      // Truncated signature.
      expectAuth(good.toBuilder().setSignedPrekeySignature(
          good.getSignedPrekeySignature().substring(0, 63)));
    }
  }

  /** Checklist 10: a validly signed but low-order X25519 prekey is refused. */
  @Test
  void lowOrderPrekeysAreRefusedEvenWhenSigned() throws Exception {
    try (IdentityKeyPair id = IdentityKeyPair.generate()) {
      PreKeyStore store = PreKeyStore.generate(id);
      PreKeyBundle good = store.newBundle(id);
      for (String hex : LOW_ORDER) {
        byte[] low = HexFormat.of().parseHex(hex);
        PreKeyBundle signedLow =
            new PreKeyBundle(
                id.publicKey(), 7, low,
                id.sign(PreKeyType.SIGNED_X25519.signedMessage(7, low)),
                good.oneTimePreKeyId().getAsLong(), good.oneTimePreKey(), good.kemPreKeyId(),
                good.kemPreKey(),
                id.sign(PreKeyType.ONE_TIME_KEM.signedMessage(good.kemPreKeyId(), good.kemPreKey())),
                false);
        assertThatThrownBy(() -> PreKeyBundle.parse(signedLow.toByteArray()))
            .as(hex)
            .isInstanceOf(AuthenticationFailedException.class);
        PreKeyBundle lowOneTime =
            new PreKeyBundle(
                id.publicKey(), good.signedPreKeyId(), good.signedPreKey(),
                id.sign(PreKeyType.SIGNED_X25519.signedMessage(good.signedPreKeyId(), good.signedPreKey())),
                9, low, good.kemPreKeyId(), good.kemPreKey(),
                id.sign(PreKeyType.ONE_TIME_KEM.signedMessage(good.kemPreKeyId(), good.kemPreKey())),
                false);
        assertThatThrownBy(lowOneTime::verify).isInstanceOf(AuthenticationFailedException.class);
      }
    }
  }

  @Test
  void oneTimeKeysAreUsedOnceAndStoreRoundTrips() throws Exception {
    try (IdentityKeyPair id = IdentityKeyPair.generate()) {
      PreKeyStore store = PreKeyStore.generate(id);
      PreKeyBundle b = store.newBundle(id);
      long otp = b.oneTimePreKeyId().getAsLong();
      PreKeyStore restored = PreKeyStore.parse(store.toByteArray());
      assertThat(restored.toByteArray()).isEqualTo(store.toByteArray());
      store.oneTimePreKey(otp, InsecureSecretAccess.get()).close();
      store.markUsed(otp, b.kemPreKeyId(), false);
      assertThatThrownBy(() -> store.oneTimePreKey(otp, InsecureSecretAccess.get()))
          .isInstanceOf(UnknownSessionException.class);
      assertThatThrownBy(() -> store.kemPreKey(b.kemPreKeyId(), false, InsecureSecretAccess.get()))
          .isInstanceOf(UnknownSessionException.class);
      assertThat(store.toString()).doesNotContain(
          HexFormat.of().formatHex(restored.signedPreKey(b.signedPreKeyId(), InsecureSecretAccess.get())
              .toByteArray(InsecureSecretAccess.get())));
    }
  }

  @Test
  void garbageGivesTypedErrorsOnly() {
    Random r = new Random(9);
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[r.nextInt(300)];
      r.nextBytes(junk);
      try {
        PreKeyBundle.parse(junk);
      } catch (MalformedInputException | AuthenticationFailedException expected) {
        // typed
      }
      try {
        PreKeyStore.parse(junk);
      } catch (MalformedInputException expected) {
        // typed
      }
    }
  }

  private static void expectAuth(PreKeyBundleProto.Builder b) {
    assertThatThrownBy(() -> PreKeyBundle.parse(b.build().toByteArray()))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  private static void expectMalformed(PreKeyBundleProto.Builder b) {
    assertThatThrownBy(() -> PreKeyBundle.parse(b.build().toByteArray()))
        .isInstanceOf(MalformedInputException.class);
  }

  /** Returns the signature with S replaced by S + L (little-endian 32-byte scalar). */
  static byte[] malleate(byte[] sig) {
    byte[] s = new byte[32];
    for (int i = 0; i < 32; i++) {
      s[i] = sig[63 - i];
    }
    BigInteger sPlusL = new BigInteger(1, s).add(L);
    byte[] be = sPlusL.toByteArray();
    byte[] out = sig.clone();
    for (int i = 0; i < 32; i++) {
      int j = be.length - 1 - i;
      out[32 + i] = j >= 0 ? be[j] : 0;
    }
    return out;
  }

  static {
    // Sanity: X25519 is available for the low-order probe.
    X25519.publicKey(new byte[32]);
  }
}
