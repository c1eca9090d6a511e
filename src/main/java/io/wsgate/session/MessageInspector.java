package io.wsgate.session;

import io.vertx.core.buffer.Buffer;

/**
 * Looks at each whole message of one direction before it is forwarded (message rules, in-band
 * control messages). Called on the session's event loop.
 */
@FunctionalInterface
interface MessageInspector {
  /** @return true to forward the message, false when the inspector dropped, consumed or refused it */
  boolean inspect(boolean text, Buffer payload);
}
