package io.wsgate.session;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every live session, across all event loops: for shutdown, revocation and the admin API. */
public final class SessionRegistry {
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  public void add(Session session) {
    sessions.put(session.id(), session);
  }

  public void remove(Session session) {
    sessions.remove(session.id());
  }

  public int size() {
    return sessions.size();
  }

  public Session get(String id) {
    return sessions.get(id);
  }

  public List<Session> snapshot() {
    Collection<Session> values = sessions.values();
    return List.copyOf(values);
  }
}
