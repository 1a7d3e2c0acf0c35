package dev.backchannel.crypto.ratchet;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.DuplicateMessageException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.internal.Aead;
import dev.backchannel.crypto.internal.X25519;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One side of a Double Ratchet session with header encryption (Signal's specification, section
 * 4), as laid out byte for byte in {@code docs/PROTOCOL.md}, section "Double Ratchet".
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>Every message gets a fresh key; a key and the chain key that produced it are erased from
 *       the state as soon as they are used (forward secrecy). Each reply triggers a new X25519
 *       ratchet step (break-in recovery).
 *   <li>Headers are encrypted: a message reveals neither ratchet public keys nor counters.
 *   <li>{@link #decrypt} is transactional: if it throws, the state is exactly as before (its
 *       {@link #toByteArray()} is byte-identical).
 *   <li>Skipped message keys are bounded: at most {@link #MAX_SKIP} per chain step, at most
 *       {@link #MAX_SKIPPED_KEYS} in total (oldest evicted), at most {@link #MAX_SKIPPED_CHAINS}
 *       chains, and none older than {@link #SKIPPED_KEY_MAX_AGE_SECONDS}. A header that claims a
 *       larger gap is refused before any key is derived.
 *   <li>A message that was already decrypted is refused with {@link DuplicateMessageException}.
 * </ul>
 *
 * <p>Not thread-safe: callers serialize access per session (the runtime does, per conversation).
 * {@link #toString()} shows counters only, never keys.
 *
 * @since 0.1
 */
public final class RatchetState {
  /** Current serialization and protocol version. */
  public static final int VERSION = 1;
  /** Most message keys one header may make this side skip in a single chain. */
  public static final int MAX_SKIP = 1000;
  /** Most skipped message keys kept in total; the oldest are evicted beyond this. */
  public static final int MAX_SKIPPED_KEYS = 2000;
  /** Most distinct receiving chains whose skipped keys are kept; the oldest chain goes first. */
  public static final int MAX_SKIPPED_CHAINS = 5;
  /** Age after which a skipped message key is dropped (30 days). */
  public static final long SKIPPED_KEY_MAX_AGE_SECONDS = 30L * 24 * 3600;
  /** Most retired receiving header keys kept only to recognise duplicates. */
  public static final int MAX_RETIRED_HEADER_KEYS = 5;
  /** Largest associated data accepted from a handshake. */
  public static final int MAX_ASSOCIATED_DATA = 4096;
  /** Length of a plaintext header: DH public key (32), PN (u32), N (u32). */
  static final int HEADER_LENGTH = 32 + 4 + 4;
  /** Length of an encrypted header: nonce (12), header ciphertext (40) and tag (16). */
  public static final int ENCRYPTED_HEADER_LENGTH =
      Aead.NONCE_LENGTH + HEADER_LENGTH + Aead.TAG_LENGTH;
  /** Bytes a ratchet message adds to its plaintext: header, body nonce (12) and tag (16). */
  public static final int OVERHEAD = ENCRYPTED_HEADER_LENGTH + Aead.NONCE_LENGTH + Aead.TAG_LENGTH;

  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();

  // The state variables of the specification. Absent keys are null.
  byte[] dhSelfPrivate;
  byte[] dhSelfPublic;
  byte[] dhRemote;
  byte[] rootKey;
  byte[] chainKeySend;
  byte[] chainKeyReceive;
  long sendCount;
  long receiveCount;
  long previousSendCount;
  byte[] headerKeySend;
  byte[] headerKeyReceive;
  byte[] nextHeaderKeySend;
  byte[] nextHeaderKeyReceive;
  byte[] associatedData;
  /** Oldest first. */
  List<SkippedKey> skipped = new ArrayList<>();
  /** Old HKr values, newest last. */
  List<byte[]> retiredHeaderKeys = new ArrayList<>();

  final Clock clock;

  RatchetState(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A skipped message key, indexed by the header key of its chain and its number. */
  record SkippedKey(byte[] headerKey, long number, byte[] messageKey, long storedAt) {}

  /**
   * The initiator's state (the side that sends the first message): RatchetInitAliceHE.
   *
   * @param seed the handshake's output; still owned by the caller
   * @param responderRatchetPublicKey the responder's signed prekey (32 bytes)
   * @throws AuthenticationFailedException if the key agreement with that key gives all zeros
   * @throws MalformedInputException if the key is not 32 bytes
   */
  public static RatchetState initiator(RatchetSeed seed, byte[] responderRatchetPublicKey)
      throws AuthenticationFailedException, MalformedInputException {
    return initiator(seed, responderRatchetPublicKey, Clock.systemUTC());
  }

  /** {@link #initiator(RatchetSeed, byte[])} with the clock used to age skipped keys. */
  public static RatchetState initiator(
      RatchetSeed seed, byte[] responderRatchetPublicKey, Clock clock)
      throws AuthenticationFailedException, MalformedInputException {
    RatchetState s = new RatchetState(clock);
    s.associatedData = checkAd(seed.associatedData());
    s.dhSelfPrivate = X25519.generatePrivateKey();
    s.dhSelfPublic = X25519.publicKey(s.dhSelfPrivate);
    s.dhRemote = responderRatchetPublicKey.clone();
    byte[] dh = X25519.agree(s.dhSelfPrivate, s.dhRemote);
    byte[][] rk = RatchetKdf.root(seed.rootKey().unsafeBytes(ACCESS), dh);
    s.rootKey = rk[0];
    s.chainKeySend = rk[1];
    s.nextHeaderKeySend = rk[2];
    s.headerKeySend = seed.initiatorHeaderKey().toByteArray(ACCESS);
    s.nextHeaderKeyReceive = seed.responderHeaderKey().toByteArray(ACCESS);
    return s;
  }

  /**
   * The responder's state (the side that published the prekey): RatchetInitBobHE.
   *
   * @param seed the handshake's output; still owned by the caller
   * @param responderRatchetPrivateKey the private key of the signed prekey (32 bytes); still
   *     owned by the caller
   */
  public static RatchetState responder(RatchetSeed seed, SecretBytes responderRatchetPrivateKey) {
    return responder(seed, responderRatchetPrivateKey, Clock.systemUTC());
  }

  /** {@link #responder(RatchetSeed, SecretBytes)} with the clock used to age skipped keys. */
  public static RatchetState responder(
      RatchetSeed seed, SecretBytes responderRatchetPrivateKey, Clock clock) {
    RatchetState s = new RatchetState(clock);
    try {
      s.associatedData = checkAd(seed.associatedData());
    } catch (MalformedInputException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    s.dhSelfPrivate = responderRatchetPrivateKey.toByteArray(ACCESS);
    s.dhSelfPublic = X25519.publicKey(s.dhSelfPrivate);
    s.rootKey = seed.rootKey().toByteArray(ACCESS);
    s.nextHeaderKeySend = seed.responderHeaderKey().toByteArray(ACCESS);
    s.nextHeaderKeyReceive = seed.initiatorHeaderKey().toByteArray(ACCESS);
    return s;
  }

  private static byte[] checkAd(byte[] ad) throws MalformedInputException {
    if (ad.length > MAX_ASSOCIATED_DATA) {
      throw new MalformedInputException(
          "associated data is " + ad.length + " bytes, more than " + MAX_ASSOCIATED_DATA);
    }
    return ad;
  }

  /** Whether this side can send now (the responder can only after the first message). */
  public boolean canSend() {
    return chainKeySend != null && headerKeySend != null;
  }

  /**
   * Encrypts {@code plaintext}; returns {@code encrypted header (68) || body nonce (12) ||
   * ciphertext || tag (16)}.
   *
   * @param extraAssociatedData context bound into this message only (the envelope layer passes the
   *     mailbox id); the receiver must pass the same bytes
   * @throws IllegalStateException if this side cannot send yet ({@link #canSend()})
   */
  public byte[] encrypt(byte[] plaintext, byte[] extraAssociatedData) {
    return RatchetCipher.encrypt(this, plaintext, extraAssociatedData);
  }

  /**
   * Decrypts a message made by the other side's {@link #encrypt}. On success the state advances;
   * on any exception it is unchanged.
   *
   * @throws MalformedInputException if the message is too short to be a ratchet message
   * @throws DuplicateMessageException if the message was already decrypted
   * @throws AuthenticationFailedException if it was not made by the other side of this session
   *     for this {@code extraAssociatedData}, claims a gap beyond the limits, or fails {@code
   *     check}
   */
  public DecryptedMessage decrypt(byte[] message, byte[] extraAssociatedData)
      throws MalformedInputException, AuthenticationFailedException {
    return decrypt(message, extraAssociatedData, p -> p);
  }

  /**
   * Like {@link #decrypt(byte[], byte[])}, but the plaintext must also pass {@code transform}
   * (for example removing padding) before the state advances.
   */
  public DecryptedMessage decrypt(
      byte[] message, byte[] extraAssociatedData, PlaintextTransform transform)
      throws MalformedInputException, AuthenticationFailedException {
    // The common case, the next message of the current receiving chain, changes two fields only
    // and does so after everything has been checked: no copy of the state is needed.
    DecryptedMessage inOrder = RatchetCipher.decryptInOrder(this, message, extraAssociatedData, transform);
    if (inOrder != null) {
      return inOrder;
    }
    RatchetState work = copy();
    DecryptedMessage result = RatchetCipher.decrypt(work, message, extraAssociatedData, transform);
    assignFrom(work);
    return result;
  }

  /** A check or transformation applied to a plaintext before a decryption is committed. */
  @FunctionalInterface
  public interface PlaintextTransform {
    /** Returns the plaintext to hand out, or throws if it is not acceptable. */
    byte[] apply(byte[] plaintext) throws AuthenticationFailedException, MalformedInputException;
  }

  /** The number of skipped message keys currently stored. */
  public int skippedKeyCount() {
    return skipped.size();
  }

  /** The session's associated data (a copy). */
  public byte[] associatedData() {
    return associatedData.clone();
  }

  /** Serializes the whole state (protobuf, versioned). The bytes are secret. */
  public byte[] toByteArray() {
    return RatchetStateCodec.encode(this);
  }

  /**
   * Restores a state serialized by {@link #toByteArray()}.
   *
   * @throws MalformedInputException if the bytes are not a valid version-1 state
   */
  public static RatchetState parse(byte[] bytes) throws MalformedInputException {
    return parse(bytes, Clock.systemUTC());
  }

  /** {@link #parse(byte[])} with the clock used to age skipped keys. */
  public static RatchetState parse(byte[] bytes, Clock clock) throws MalformedInputException {
    return RatchetStateCodec.decode(bytes, clock);
  }

  /** A deep copy, sharing nothing mutable with this state. */
  public RatchetState copy() {
    RatchetState c = new RatchetState(clock);
    c.dhSelfPrivate = clone(dhSelfPrivate);
    c.dhSelfPublic = clone(dhSelfPublic);
    c.dhRemote = clone(dhRemote);
    c.rootKey = clone(rootKey);
    c.chainKeySend = clone(chainKeySend);
    c.chainKeyReceive = clone(chainKeyReceive);
    c.sendCount = sendCount;
    c.receiveCount = receiveCount;
    c.previousSendCount = previousSendCount;
    c.headerKeySend = clone(headerKeySend);
    c.headerKeyReceive = clone(headerKeyReceive);
    c.nextHeaderKeySend = clone(nextHeaderKeySend);
    c.nextHeaderKeyReceive = clone(nextHeaderKeyReceive);
    c.associatedData = clone(associatedData);
    c.skipped = new ArrayList<>(skipped.size());
    for (SkippedKey k : skipped) {
      c.skipped.add(new SkippedKey(k.headerKey().clone(), k.number(), k.messageKey().clone(), k.storedAt()));
    }
    c.retiredHeaderKeys = new ArrayList<>(retiredHeaderKeys.size());
    for (byte[] k : retiredHeaderKeys) {
      c.retiredHeaderKeys.add(k.clone());
    }
    return c;
  }

  private void assignFrom(RatchetState w) {
    wipe();
    dhSelfPrivate = w.dhSelfPrivate;
    dhSelfPublic = w.dhSelfPublic;
    dhRemote = w.dhRemote;
    rootKey = w.rootKey;
    chainKeySend = w.chainKeySend;
    chainKeyReceive = w.chainKeyReceive;
    sendCount = w.sendCount;
    receiveCount = w.receiveCount;
    previousSendCount = w.previousSendCount;
    headerKeySend = w.headerKeySend;
    headerKeyReceive = w.headerKeyReceive;
    nextHeaderKeySend = w.nextHeaderKeySend;
    nextHeaderKeyReceive = w.nextHeaderKeyReceive;
    associatedData = w.associatedData;
    skipped = w.skipped;
    retiredHeaderKeys = w.retiredHeaderKeys;
  }

  /** Overwrites every key this state holds with zeros; the state is unusable afterwards. */
  public void destroy() {
    wipe();
    dhSelfPrivate = null;
    rootKey = null;
    chainKeySend = null;
    chainKeyReceive = null;
    skipped = new ArrayList<>();
  }

  private void wipe() {
    for (byte[] b :
        new byte[][] {
          dhSelfPrivate, rootKey, chainKeySend, chainKeyReceive, headerKeySend, headerKeyReceive,
          nextHeaderKeySend, nextHeaderKeyReceive
        }) {
      zero(b);
    }
    for (SkippedKey k : skipped) {
      zero(k.messageKey());
    }
  }

  static void zero(byte[] b) {
    if (b != null) {
      Arrays.fill(b, (byte) 0);
    }
  }

  private static byte[] clone(byte[] b) {
    return b == null ? null : b.clone();
  }

  /** Counters only, never keys. */
  @Override
  public String toString() {
    return "RatchetState[sent=" + sendCount + ", received=" + receiveCount
        + ", previousSent=" + previousSendCount + ", skippedKeys=" + skipped.size() + "]";
  }
}
