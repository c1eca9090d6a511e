package io.wsgate.wirefuzz;

/** How an upgrade request head is written: valid variants, and a few the gateway must refuse. */
enum Style {
  PLAIN,
  /** Spaces and tabs around header values, lower-case names, {@code Connection: keep-alive, Upgrade}. */
  LOOSE,
  /** {@code Sec-WebSocket-Key} twice. */
  DUPLICATE_KEY,
  /** {@code Upgrade} and {@code Host} twice. */
  DUPLICATE_UPGRADE,
  /** No {@code Sec-WebSocket-Key}: 400. */
  NO_KEY,
  /** {@code Sec-WebSocket-Version: 8}: 400. */
  BAD_VERSION,
  /** {@code POST}: 400. */
  POST,
  /** {@code HTTP/1.0}. */
  HTTP_10
}
