package io.wsgate.limits;

/** A revocation was refused: the list holds its maximum of unexpired revocations. */
public final class RevocationListFull extends RuntimeException {
  public RevocationListFull(int capacity) {
    super("the revocation list is full (" + capacity + " unexpired revocations); lift some first", null, false, false);
  }
}
