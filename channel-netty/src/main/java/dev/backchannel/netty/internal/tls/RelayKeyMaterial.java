package dev.backchannel.netty.internal.tls;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.internal.fs.OwnerOnly;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The relay's TLS key (ECDSA P-256) and self-signed certificate, made on first start and kept
 * in the data directory ({@code relay-key.pk8} and {@code relay-cert.der}). On POSIX file systems
 * a data directory made here is {@code rwx------} and both files are created {@code rw-------}
 * (never readable by others, not even for a moment). The nodes of a relay cluster share one
 * key through a key file instead ({@link RelayKeyFile}). The pin is the SHA-256 of the public
 * key's DER SubjectPublicKeyInfo. Not API.
 */
public final class RelayKeyMaterial {
  static final String KEY_FILE = "relay-key.pk8";
  static final String CERT_FILE = "relay-cert.der";

  private final PrivateKey privateKey;
  private final X509Certificate certificate;

  private RelayKeyMaterial(PrivateKey privateKey, X509Certificate certificate) {
    this.privateKey = privateKey;
    this.certificate = certificate;
  }

  /**
   * Loads the key and certificate from {@code dataDirectory}, creating them if absent.
   *
   * @throws StateStoreException if they cannot be read or written
   */
  public static RelayKeyMaterial loadOrCreate(Path dataDirectory) throws StateStoreException {
    Path keyFile = dataDirectory.resolve(KEY_FILE);
    Path certFile = dataDirectory.resolve(CERT_FILE);
    try {
      OwnerOnly.createDirectories(dataDirectory);
      if (Files.exists(keyFile) && Files.exists(certFile)) {
        PrivateKey key = KeyFactory.getInstance("EC")
            .generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(keyFile)));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
        return new RelayKeyMaterial(key, cert);
      }
      RelayKeyMaterial made = generate();
      writeAtomically(keyFile, made.privateKey.getEncoded());
      writeAtomically(certFile, made.certificate.getEncoded());
      return made;
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new StateStoreException("cannot load or create the relay key in " + dataDirectory, e);
    }
  }

  /** A new key pair (ECDSA P-256) with its self-signed certificate, kept nowhere yet. */
  static RelayKeyMaterial generate() throws GeneralSecurityException, OperatorCreationException {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    KeyPair pair = gen.generateKeyPair();
    return new RelayKeyMaterial(pair.getPrivate(), selfSign(pair));
  }

  /**
   * Key and certificate from their DER encodings (PKCS#8, X.509).
   *
   * @throws GeneralSecurityException if either does not parse, or the key is not the
   *     certificate's (checked by a signature)
   */
  static RelayKeyMaterial fromEncoded(byte[] pkcs8, byte[] certificateDer) throws GeneralSecurityException {
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(certificateDer));
    byte[] probe = "Backchannel-v1 relay key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    java.security.Signature sign = java.security.Signature.getInstance("SHA256withECDSA");
    sign.initSign(key);
    sign.update(probe);
    byte[] signature = sign.sign();
    java.security.Signature verify = java.security.Signature.getInstance("SHA256withECDSA");
    verify.initVerify(cert.getPublicKey());
    verify.update(probe);
    if (!verify.verify(signature)) {
      throw new GeneralSecurityException("the private key does not belong to the certificate");
    }
    return new RelayKeyMaterial(key, cert);
  }

  /** The PKCS#8 DER encoding of the private key (a fresh array, which the caller clears). */
  byte[] privateKeyEncoded() {
    return privateKey.getEncoded();
  }

  /** The DER encoding of the certificate. */
  byte[] certificateEncoded() throws java.security.cert.CertificateEncodingException {
    return certificate.getEncoded();
  }

  private static X509Certificate selfSign(KeyPair pair)
      throws OperatorCreationException, GeneralSecurityException {
    X500Name name = new X500Name("CN=backchannel-relay");
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
        name, new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
        Date.from(now.plus(Duration.ofDays(36500))), name, pair.getPublic());
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }

  private static void writeAtomically(Path file, byte[] data) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp); // created anew below, so with owner-only permissions
    try (var ch = java.nio.channels.FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), OwnerOnly.fileAttributes())) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The SHA-256 of the public key's SubjectPublicKeyInfo: what addresses pin. */
  public byte[] pin() {
    return pinOf(certificate);
  }

  /** The pin of a certificate's public key. */
  public static byte[] pinOf(X509Certificate certificate) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  /** A TLS 1.3-only server context with this key. */
  public SslContext serverContext() throws SSLException {
    return SslContextBuilder.forServer(privateKey, certificate)
        .sslProvider(SslProvider.JDK)
        .protocols("TLSv1.3")
        .build();
  }

  /** A TLS 1.3-only client context that accepts only a server whose key hashes to {@code pin}. */
  public static SslContext clientContext(PinningTrustManager trust) throws SSLException {
    return SslContextBuilder.forClient()
        .sslProvider(SslProvider.JDK)
        .protocols("TLSv1.3")
        .trustManager(trust)
        .build();
  }
}
