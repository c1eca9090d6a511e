package io.wsgate.session;

import io.vertx.core.buffer.Buffer;
import io.wsgate.filter.Decision;
import io.wsgate.filter.Message;
import io.wsgate.filter.MessagePipeline;
import io.wsgate.filter.SessionFilterState;
import io.wsgate.policy.Direction;

/**
 * A session's two message pipelines and their per-connection state. A drop sends the client the
 * rule's small JSON notice and keeps the session; a close ends it with the rule's close code;
 * monitor-mode hits are only audited and counted.
 */
final class MessageRules {
  private final Session session;
  private final MessagePipeline upstreamBound;
  private final MessagePipeline clientBound;
  private final SessionFilterState upstreamState;
  private final SessionFilterState clientState;
  private final Message upstreamMessage = Message.binary(Buffer.buffer());
  private final Message clientMessage = Message.binary(Buffer.buffer());

  MessageRules(Session session, MessagePipeline upstreamBound, MessagePipeline clientBound) {
    this.session = session;
    this.upstreamBound = upstreamBound;
    this.clientBound = clientBound;
    this.upstreamState = upstreamBound.newSessionState();
    this.clientState = clientBound.newSessionState();
  }

  boolean inspectsUpstreamBound() {
    return !upstreamBound.isEmpty();
  }

  boolean inspectsClientBound() {
    return !clientBound.isEmpty();
  }

  boolean toUpstream(boolean text, Buffer payload) {
    return upstreamBound.isEmpty()
        || apply(Direction.TO_UPSTREAM, upstreamBound.check(upstreamMessage.reset(text, payload), upstreamState, session.subjectKey()));
  }

  /** A re-authentication message, charged to the upstream-bound size and rate rules: true if it may be handled. */
  boolean controlMessageToUpstream(Buffer payload) {
    return upstreamBound.isEmpty() || apply(Direction.TO_UPSTREAM,
        upstreamBound.checkControlMessage(upstreamMessage.reset(true, payload), upstreamState, session.subjectKey()));
  }

  boolean toClient(boolean text, Buffer payload) {
    return apply(Direction.TO_CLIENT, clientBound.check(clientMessage.reset(text, payload), clientState, session.subjectKey()));
  }

  private boolean apply(Direction direction, Decision decision) {
    if (decision == Decision.PASS) {
      return true;
    }
    for (Decision.Hit hit : decision.monitorHits()) {
      session.refused(direction, hit, true);
    }
    switch (decision.outcome()) {
      case DROP -> {
        session.refused(direction, decision.refusal(), false);
        session.replyToClient(decision.dropNotice().toString());
        return false;
      }
      case CLOSE -> {
        session.refused(direction, decision.refusal(), false);
        session.terminate(decision.reason());
        return false;
      }
      default -> {
        return true;
      }
    }
  }
}
