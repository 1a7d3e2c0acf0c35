package dev.backchannel.crypto.ratchet;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.DuplicateMessageException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.internal.Aead;
import dev.backchannel.crypto.internal.AesGcmAead;
import dev.backchannel.crypto.internal.Hkdf;
import dev.backchannel.crypto.internal.X25519;
import dev.backchannel.crypto.ratchet.RatchetState.SkippedKey;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * RatchetEncryptHE and RatchetDecryptHE over a {@link RatchetState}. Decryption mutates the state
 * it is given; {@link RatchetState#decrypt} gives it a copy and commits only on success.
 */
final class RatchetCipher {
  static final byte[] HEADER_LABEL = Hkdf.label("Backchannel-v1 ratchet header");
  static final byte[] BODY_LABEL = Hkdf.label("Backchannel-v1 ratchet body");
  /** One-time keys (message keys). */
  private static final AesGcmAead BODY_AEAD = AesGcmAead.INSTANCE;
  /** Header keys, used for a whole chain: a cipher of their own keeps their key schedule. */
  private static final AesGcmAead HEADER_AEAD = AesGcmAead.FOR_REUSED_KEYS;
  private static final int EHL = RatchetState.ENCRYPTED_HEADER_LENGTH;

  /** Per-thread buffers for associated data and the header plaintext (none of it secret). */
  private static final class Scratch {
    byte[] headerAd = new byte[512];
    int headerAdLength;
    byte[] bodyAd = new byte[512];
    int bodyAdLength;
    final byte[] header = new byte[RatchetState.HEADER_LENGTH];
    final byte[] nonces = new byte[2 * Aead.NONCE_LENGTH];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long MAX_COUNTER = 0xFFFF_FFFFL;

  private RatchetCipher() {}

  static byte[] encrypt(RatchetState s, byte[] plaintext, byte[] extraAd) {
    if (!s.canSend()) {
      throw new IllegalStateException("this side cannot send before it has received a message");
    }
    if (s.sendCount >= MAX_COUNTER) {
      throw new IllegalStateException("sending chain exhausted; a reply must ratchet first");
    }
    Scratch sc = SCRATCH.get();
    headerAd(sc, s, extraAd);
    byte[][] step = RatchetKdf.step(s.chainKeySend);
    byte[] mk = step[0];
    RatchetState.zero(s.chainKeySend);
    s.chainKeySend = step[1];

    // out = header nonce || header ciphertext+tag || body nonce || body ciphertext+tag
    byte[] out = new byte[RatchetState.OVERHEAD + plaintext.length];
    RANDOM.nextBytes(sc.nonces);
    System.arraycopy(sc.nonces, 0, out, 0, Aead.NONCE_LENGTH);
    System.arraycopy(sc.nonces, Aead.NONCE_LENGTH, out, EHL, Aead.NONCE_LENGTH);
    byte[] header = sc.header;
    System.arraycopy(s.dhSelfPublic, 0, header, 0, 32);
    putInt(header, 32, (int) s.previousSendCount);
    putInt(header, 36, (int) s.sendCount);
    HEADER_AEAD.seal(s.headerKeySend, out, 0, sc.headerAd, sc.headerAdLength,
        header, 0, header.length, out, Aead.NONCE_LENGTH);

    byte[] key = RatchetKdf.messageCipherKey(mk);
    RatchetState.zero(mk);
    bodyAd(sc, s, extraAd, out);
    BODY_AEAD.seal(key, out, EHL, sc.bodyAd, sc.bodyAdLength,
        plaintext, 0, plaintext.length, out, EHL + Aead.NONCE_LENGTH);
    RatchetState.zero(key);
    s.sendCount++;
    return out;
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  static DecryptedMessage decrypt(
      RatchetState s, byte[] message, byte[] extraAd, RatchetState.PlaintextTransform transform)
      throws MalformedInputException, AuthenticationFailedException {
    if (message == null || message.length < RatchetState.OVERHEAD) {
      throw new MalformedInputException(
          "ratchet message must be at least " + RatchetState.OVERHEAD + " bytes");
    }
    byte[] encHeader = message; // the encrypted header is message[0, ENCRYPTED_HEADER_LENGTH)
    Scratch hAd = SCRATCH.get();
    headerAd(hAd, s, extraAd);
    expireSkipped(s);

    // 1. Skipped keys of chains other than the current receiving chain.
    for (byte[] hk : distinctSkippedHeaderKeys(s)) {
      if (s.headerKeyReceive != null && MessageDigest.isEqual(hk, s.headerKeyReceive)) {
        continue;
      }
      Header h = tryHeader(hk, encHeader, hAd);
      if (h != null) {
        return fromSkipped(s, hk, h, message, extraAd, encHeader, transform);
      }
    }
    // 2. The current receiving chain.
    if (s.headerKeyReceive != null) {
      Header h = tryHeader(s.headerKeyReceive, encHeader, hAd);
      if (h != null) {
        if (h.number < s.receiveCount) {
          return fromSkipped(s, s.headerKeyReceive, h, message, extraAd, encHeader, transform);
        }
        checkGap(s.receiveCount, h.number);
        int skippedNow = skip(s, h.number);
        return fromChain(s, h, message, extraAd, encHeader, transform, skippedNow, false);
      }
    }
    // 3. The next receiving chain: a DH ratchet step.
    Header h = tryHeader(s.nextHeaderKeyReceive, encHeader, hAd);
    if (h != null) {
      if (s.chainKeyReceive != null) {
        checkGap(s.receiveCount, h.previousCount);
      }
      checkGap(0, h.number);
      int skippedNow = s.chainKeyReceive != null ? skip(s, h.previousCount) : 0;
      dhRatchet(s, h);
      skippedNow += skip(s, h.number);
      return fromChain(s, h, message, extraAd, encHeader, transform, skippedNow, true);
    }
    // 4. A chain already retired: the message was received before.
    for (byte[] hk : s.retiredHeaderKeys) {
      if (tryHeader(hk, encHeader, hAd) != null) {
        throw new DuplicateMessageException("message already received, or its key expired");
      }
    }
    throw new AuthenticationFailedException("message does not belong to this session");
  }

  /**
   * The fast path of {@link #decrypt}: when no skipped keys are stored and the message is the
   * next one of the current receiving chain, decrypts it and commits the chain step only after
   * the body authenticated and {@code transform} accepted it. Returns null, with {@code s}
   * untouched, in every other case (the caller then takes the general path on a copy).
   */
  static DecryptedMessage decryptInOrder(
      RatchetState s, byte[] message, byte[] extraAd, RatchetState.PlaintextTransform transform)
      throws MalformedInputException, AuthenticationFailedException {
    if (message == null || message.length < RatchetState.OVERHEAD || !s.skipped.isEmpty()
        || s.headerKeyReceive == null || s.chainKeyReceive == null) {
      return null;
    }
    Scratch sc = SCRATCH.get();
    headerAd(sc, s, extraAd);
    Header h = tryHeader(s.headerKeyReceive, message, sc);
    if (h == null || h.number != s.receiveCount) {
      return null;
    }
    byte[][] keys = RatchetKdf.step(s.chainKeyReceive);
    byte[] out;
    try {
      byte[] plaintext = openBody(s, keys[0], message, extraAd, message);
      out = transform.apply(plaintext);
    } catch (MalformedInputException | AuthenticationFailedException | RuntimeException e) {
      RatchetState.zero(keys[1]);
      throw e;
    } finally {
      RatchetState.zero(keys[0]);
    }
    RatchetState.zero(s.chainKeyReceive);
    s.chainKeyReceive = keys[1];
    s.receiveCount++;
    return new DecryptedMessage(out, h.number, 0, false, false);
  }

  private static DecryptedMessage fromSkipped(
      RatchetState s,
      byte[] hk,
      Header h,
      byte[] message,
      byte[] extraAd,
      byte[] encHeader,
      RatchetState.PlaintextTransform transform)
      throws MalformedInputException, AuthenticationFailedException {
    for (Iterator<SkippedKey> it = s.skipped.iterator(); it.hasNext(); ) {
      SkippedKey k = it.next();
      if (k.number() == h.number && MessageDigest.isEqual(k.headerKey(), hk)) {
        byte[] plaintext = openBody(s, k.messageKey(), message, extraAd, encHeader);
        byte[] out = transform.apply(plaintext);
        RatchetState.zero(k.messageKey());
        it.remove();
        return new DecryptedMessage(out, h.number, 0, true, false);
      }
    }
    throw new DuplicateMessageException("message already received, or its key expired");
  }

  private static DecryptedMessage fromChain(
      RatchetState s,
      Header h,
      byte[] message,
      byte[] extraAd,
      byte[] encHeader,
      RatchetState.PlaintextTransform transform,
      int skippedNow,
      boolean step)
      throws MalformedInputException, AuthenticationFailedException {
    byte[][] keys = RatchetKdf.step(s.chainKeyReceive);
    byte[] mk = keys[0];
    RatchetState.zero(s.chainKeyReceive);
    s.chainKeyReceive = keys[1];
    s.receiveCount++;
    byte[] plaintext = openBody(s, mk, message, extraAd, encHeader);
    RatchetState.zero(mk);
    byte[] out = transform.apply(plaintext);
    enforceCaps(s);
    return new DecryptedMessage(out, h.number, skippedNow, false, step);
  }

  private static byte[] openBody(
      RatchetState s, byte[] mk, byte[] message, byte[] extraAd, byte[] encHeader)
      throws AuthenticationFailedException {
    byte[] key = RatchetKdf.messageCipherKey(mk);
    int bodyStart = EHL + Aead.NONCE_LENGTH;
    Scratch sc = SCRATCH.get();
    bodyAd(sc, s, extraAd, encHeader);
    try {
      return BODY_AEAD.open(key, message, EHL, sc.bodyAd, sc.bodyAdLength,
          message, bodyStart, message.length - bodyStart);
    } finally {
      RatchetState.zero(key);
    }
  }

  /** Refuses, before deriving anything, a header that would skip more than MAX_SKIP keys. */
  private static void checkGap(long current, long until) throws AuthenticationFailedException {
    if (until - current > RatchetState.MAX_SKIP) {
      throw new AuthenticationFailedException(
          "message claims a gap of " + (until - current) + " messages, more than "
              + RatchetState.MAX_SKIP);
    }
  }

  /** SkipMessageKeysHE: stores the keys of messages Nr..until-1 of the current chain. */
  private static int skip(RatchetState s, long until) {
    if (s.chainKeyReceive == null) {
      return 0;
    }
    int n = 0;
    long now = s.clock.instant().getEpochSecond();
    while (s.receiveCount < until) {
      byte[][] step = RatchetKdf.step(s.chainKeyReceive);
      byte[] mk = step[0];
      RatchetState.zero(s.chainKeyReceive);
      s.chainKeyReceive = step[1];
      s.skipped.add(new SkippedKey(s.headerKeyReceive.clone(), s.receiveCount, mk, now));
      s.receiveCount++;
      n++;
    }
    return n;
  }

  /** DHRatchetHE. */
  private static void dhRatchet(RatchetState s, Header h) throws AuthenticationFailedException {
    try {
      if (s.headerKeyReceive != null) {
        s.retiredHeaderKeys.add(s.headerKeyReceive.clone());
        while (s.retiredHeaderKeys.size() > RatchetState.MAX_RETIRED_HEADER_KEYS) {
          s.retiredHeaderKeys.remove(0);
        }
      }
      s.previousSendCount = s.sendCount;
      s.sendCount = 0;
      s.receiveCount = 0;
      s.headerKeySend = s.nextHeaderKeySend;
      s.headerKeyReceive = s.nextHeaderKeyReceive;
      s.dhRemote = h.dhPublic;
      byte[][] r = RatchetKdf.root(s.rootKey, X25519.agree(s.dhSelfPrivate, s.dhRemote));
      RatchetState.zero(s.rootKey);
      RatchetState.zero(s.chainKeyReceive);
      s.rootKey = r[0];
      s.chainKeyReceive = r[1];
      s.nextHeaderKeyReceive = r[2];
      RatchetState.zero(s.dhSelfPrivate);
      s.dhSelfPrivate = X25519.generatePrivateKey();
      s.dhSelfPublic = X25519.publicKey(s.dhSelfPrivate);
      byte[][] t = RatchetKdf.root(s.rootKey, X25519.agree(s.dhSelfPrivate, s.dhRemote));
      RatchetState.zero(s.rootKey);
      RatchetState.zero(s.chainKeySend);
      s.rootKey = t[0];
      s.chainKeySend = t[1];
      s.nextHeaderKeySend = t[2];
    } catch (dev.backchannel.api.error.MalformedInputException e) {
      throw new AuthenticationFailedException("invalid ratchet public key");
    }
  }

  private static void expireSkipped(RatchetState s) {
    if (s.skipped.isEmpty()) {
      return;
    }
    long oldest = s.clock.instant().getEpochSecond() - RatchetState.SKIPPED_KEY_MAX_AGE_SECONDS;
    s.skipped.removeIf(
        k -> {
          if (k.storedAt() < oldest) {
            RatchetState.zero(k.messageKey());
            return true;
          }
          return false;
        });
  }

  /** Total cap (oldest evicted) and chain cap (oldest chain's keys evicted). */
  private static void enforceCaps(RatchetState s) {
    while (s.skipped.size() > RatchetState.MAX_SKIPPED_KEYS) {
      RatchetState.zero(s.skipped.remove(0).messageKey());
    }
    List<byte[]> chains = distinctSkippedHeaderKeys(s);
    while (chains.size() > RatchetState.MAX_SKIPPED_CHAINS) {
      byte[] oldest = chains.remove(0);
      s.skipped.removeIf(
          k -> {
            if (MessageDigest.isEqual(k.headerKey(), oldest)) {
              RatchetState.zero(k.messageKey());
              return true;
            }
            return false;
          });
    }
  }

  /** Header keys of the stored skipped keys, in order of first appearance (oldest first). */
  private static List<byte[]> distinctSkippedHeaderKeys(RatchetState s) {
    if (s.skipped.isEmpty()) {
      return new ArrayList<>(0);
    }
    List<byte[]> out = new ArrayList<>();
    for (SkippedKey k : s.skipped) {
      boolean seen = false;
      for (byte[] o : out) {
        if (MessageDigest.isEqual(o, k.headerKey())) {
          seen = true;
          break;
        }
      }
      if (!seen) {
        out.add(k.headerKey());
      }
    }
    return out;
  }

  private record Header(byte[] dhPublic, long previousCount, long number) {}

  private static Header tryHeader(byte[] hk, byte[] message, Scratch ad) {
    if (hk == null) {
      return null;
    }
    byte[] plain;
    try {
      plain = HEADER_AEAD.open(hk, message, 0, ad.headerAd, ad.headerAdLength,
          message, Aead.NONCE_LENGTH, EHL - Aead.NONCE_LENGTH);
    } catch (AuthenticationFailedException e) {
      return null;
    }
    byte[] dh = Arrays.copyOf(plain, 32);
    long pn = getInt(plain, 32) & MAX_COUNTER;
    long n = getInt(plain, 36) & MAX_COUNTER;
    return new Header(dh, pn, n);
  }

  private static int getInt(byte[] b, int off) {
    return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
  }

  /** The header's associated data into {@code sc.headerAd}. */
  private static void headerAd(Scratch sc, RatchetState s, byte[] extraAd) {
    int n = adLength(HEADER_LABEL, s.associatedData, extraAd, 0);
    if (sc.headerAd.length < n) {
      sc.headerAd = new byte[n];
    }
    sc.headerAdLength = writeAd(sc.headerAd, HEADER_LABEL, s.associatedData, extraAd, null);
  }

  /** The body's associated data (ending with the encrypted header) into {@code sc.bodyAd}. */
  private static void bodyAd(Scratch sc, RatchetState s, byte[] extraAd, byte[] message) {
    int n = adLength(BODY_LABEL, s.associatedData, extraAd, EHL);
    if (sc.bodyAd.length < n) {
      sc.bodyAd = new byte[n];
    }
    sc.bodyAdLength = writeAd(sc.bodyAd, BODY_LABEL, s.associatedData, extraAd, message);
  }

  private static int adLength(byte[] label, byte[] ad, byte[] extra, int tail) {
    int e = extra == null ? 0 : extra.length;
    if (e > 0xffff) {
      throw new IllegalArgumentException("extra associated data longer than 65535 bytes");
    }
    return label.length + 2 + ad.length + 2 + e + tail;
  }

  /** {@code label || u16 len(ad) || ad || u16 len(extra) || extra [|| message[0, EHL)]}. */
  private static int writeAd(byte[] out, byte[] label, byte[] ad, byte[] extra, byte[] message) {
    int p = 0;
    System.arraycopy(label, 0, out, p, label.length);
    p += label.length;
    out[p++] = (byte) (ad.length >>> 8);
    out[p++] = (byte) ad.length;
    System.arraycopy(ad, 0, out, p, ad.length);
    p += ad.length;
    int e = extra == null ? 0 : extra.length;
    out[p++] = (byte) (e >>> 8);
    out[p++] = (byte) e;
    if (e > 0) {
      System.arraycopy(extra, 0, out, p, e);
      p += e;
    }
    if (message != null) {
      System.arraycopy(message, 0, out, p, EHL);
      p += EHL;
    }
    return p;
  }
}
