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
  private static final Aead AEAD = AesGcmAead.INSTANCE;
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
    byte[] mk = RatchetKdf.messageKey(s.chainKeySend);
    byte[] next = RatchetKdf.nextChainKey(s.chainKeySend);
    RatchetState.zero(s.chainKeySend);
    s.chainKeySend = next;

    byte[] header =
        ByteBuffer.allocate(RatchetState.HEADER_LENGTH)
            .put(s.dhSelfPublic)
            .putInt((int) s.previousSendCount)
            .putInt((int) s.sendCount)
            .array();
    byte[] nonce = new byte[Aead.NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    byte[] headerCt = AEAD.seal(s.headerKeySend, nonce, headerAd(s, extraAd), header);
    byte[] encHeader = new byte[RatchetState.ENCRYPTED_HEADER_LENGTH];
    System.arraycopy(nonce, 0, encHeader, 0, nonce.length);
    System.arraycopy(headerCt, 0, encHeader, nonce.length, headerCt.length);

    byte[] key = RatchetKdf.messageCipherKey(mk);
    RatchetState.zero(mk);
    byte[] iv = new byte[Aead.NONCE_LENGTH];
    RANDOM.nextBytes(iv);
    byte[] body = AEAD.seal(key, iv, bodyAd(s, extraAd, encHeader), plaintext);
    RatchetState.zero(key);
    s.sendCount++;

    byte[] out = new byte[encHeader.length + iv.length + body.length];
    System.arraycopy(encHeader, 0, out, 0, encHeader.length);
    System.arraycopy(iv, 0, out, encHeader.length, iv.length);
    System.arraycopy(body, 0, out, encHeader.length + iv.length, body.length);
    return out;
  }

  static DecryptedMessage decrypt(
      RatchetState s, byte[] message, byte[] extraAd, RatchetState.PlaintextTransform transform)
      throws MalformedInputException, AuthenticationFailedException {
    if (message == null || message.length < RatchetState.OVERHEAD) {
      throw new MalformedInputException(
          "ratchet message must be at least " + RatchetState.OVERHEAD + " bytes");
    }
    byte[] encHeader = Arrays.copyOf(message, RatchetState.ENCRYPTED_HEADER_LENGTH);
    byte[] hAd = headerAd(s, extraAd);
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
    byte[] mk = RatchetKdf.messageKey(s.chainKeyReceive);
    byte[] next = RatchetKdf.nextChainKey(s.chainKeyReceive);
    RatchetState.zero(s.chainKeyReceive);
    s.chainKeyReceive = next;
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
    int bodyStart = RatchetState.ENCRYPTED_HEADER_LENGTH + Aead.NONCE_LENGTH;
    byte[] iv = Arrays.copyOfRange(message, RatchetState.ENCRYPTED_HEADER_LENGTH, bodyStart);
    try {
      return AEAD.open(
          key,
          iv,
          bodyAd(s, extraAd, encHeader),
          message,
          bodyStart,
          message.length - bodyStart);
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
      byte[] mk = RatchetKdf.messageKey(s.chainKeyReceive);
      byte[] next = RatchetKdf.nextChainKey(s.chainKeyReceive);
      RatchetState.zero(s.chainKeyReceive);
      s.chainKeyReceive = next;
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

  private static Header tryHeader(byte[] hk, byte[] encHeader, byte[] ad) {
    if (hk == null) {
      return null;
    }
    byte[] nonce = Arrays.copyOf(encHeader, Aead.NONCE_LENGTH);
    byte[] plain;
    try {
      plain = AEAD.open(hk, nonce, ad, encHeader, Aead.NONCE_LENGTH,
          encHeader.length - Aead.NONCE_LENGTH);
    } catch (AuthenticationFailedException e) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(plain);
    byte[] dh = new byte[32];
    b.get(dh);
    long pn = b.getInt() & MAX_COUNTER;
    long n = b.getInt() & MAX_COUNTER;
    return new Header(dh, pn, n);
  }

  private static byte[] headerAd(RatchetState s, byte[] extraAd) {
    return concatAd(HEADER_LABEL, s.associatedData, extraAd, null);
  }

  private static byte[] bodyAd(RatchetState s, byte[] extraAd, byte[] encHeader) {
    return concatAd(BODY_LABEL, s.associatedData, extraAd, encHeader);
  }

  /** {@code label || u16 len(ad) || ad || u16 len(extra) || extra [|| encHeader]}. */
  private static byte[] concatAd(byte[] label, byte[] ad, byte[] extra, byte[] tail) {
    byte[] e = extra == null ? new byte[0] : extra;
    if (e.length > 0xffff) {
      throw new IllegalArgumentException("extra associated data longer than 65535 bytes");
    }
    ByteBuffer b =
        ByteBuffer.allocate(
            label.length + 2 + ad.length + 2 + e.length + (tail == null ? 0 : tail.length));
    b.put(label).putShort((short) ad.length).put(ad).putShort((short) e.length).put(e);
    if (tail != null) {
      b.put(tail);
    }
    return b.array();
  }
}
