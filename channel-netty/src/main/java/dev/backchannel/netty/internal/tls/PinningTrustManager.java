package dev.backchannel.netty.internal.tls;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one relay key: the server's leaf certificate must carry the public key whose
 * SHA-256 is the pin (compared in constant time). Names, dates and chains are irrelevant: the pin
 * is the trust. Remembers whether a mismatch happened, so the client can report it as such.
 */
public final class PinningTrustManager extends X509ExtendedTrustManager {
  private final byte[] pin;
  private volatile boolean mismatch;

  /** Trusts the key whose SPKI SHA-256 is {@code pin}. */
  public PinningTrustManager(byte[] pin) {
    this.pin = pin.clone();
  }

  /** Whether a server presented another key. */
  public boolean mismatchSeen() {
    return mismatch;
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0
        || !MessageDigest.isEqual(pin, RelayKeyMaterial.pinOf(chain[0]))) {
      mismatch = true;
      throw new CertificateException("relay key does not match the pinned fingerprint");
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("client certificates are not used");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("client certificates are not used");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("client certificates are not used");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
