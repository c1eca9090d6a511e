package io.wsgate.session;

/**
 * Which close code to pass on when a peer closes. RFC 6455 §7.4.1 reserves 1005 (no status),
 * 1006 (abnormal) and 1015 (TLS failure) for local reporting: they must never be sent, so they
 * are mapped to the nearest legal meaning.
 */
final class CloseCodes {
  static final short NORMAL = 1000;
  static final short GOING_AWAY = 1001;
  static final short INTERNAL_ERROR = 1011;

  private CloseCodes() {
  }

  static short forward(Short received) {
    if (received == null) {
      return GOING_AWAY;
    }
    return switch (received) {
      case 1005 -> NORMAL;
      case 1006 -> GOING_AWAY;
      case 1015 -> INTERNAL_ERROR;
      default -> sendable(received) ? received : NORMAL;
    };
  }

  static boolean sendable(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  }
}
