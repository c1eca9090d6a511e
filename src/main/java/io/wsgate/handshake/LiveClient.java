package io.wsgate.handshake;

import java.security.cert.X509Certificate;
import java.util.List;

/** What a guard may look at again on a session it admitted earlier (a reload's re-check). */
public interface LiveClient {
  /** The client's address as its 4 or 16 bytes. */
  byte[] clientAddress();

  /** The {@code Origin} it sent, or null. */
  String origin();

  /** The certificate chain it presented, as read on a route with {@code clientCert}; null when none was read. */
  List<X509Certificate> clientCertChain();
}
