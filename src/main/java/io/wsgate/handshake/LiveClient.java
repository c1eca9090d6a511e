package io.wsgate.handshake;

/** What a guard may look at again on a session it admitted earlier (a reload's re-check). */
public interface LiveClient {
  /** The client's address as its 4 or 16 bytes. */
  byte[] clientAddress();

  /** The {@code Origin} it sent, or null. */
  String origin();
}
