package io.wsgate.testing;

import io.wsgate.audit.AuditedRequest;

/** Who-asked-for-what values for audit tests that write records directly. */
public final class Requests {
  private Requests() {
  }

  /** A request refused before routing: its id, the client's address and the path. */
  public static AuditedRequest refused(String requestId, String clientIp, String path) {
    return new AuditedRequest(requestId, clientIp, null, null, null, path, null, null);
  }

  /** A session on {@code route} (its path too) of {@code subject} from issuer {@code idp}, or anonymous when null. */
  public static AuditedRequest session(String requestId, String clientIp, String route, String subject) {
    return new AuditedRequest(requestId, clientIp, subject, subject == null ? null : "idp", route, route, null, null);
  }
}
