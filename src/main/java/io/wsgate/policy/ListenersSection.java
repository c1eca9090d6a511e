package io.wsgate.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads the client listeners: either {@code listen:} (one listener, named {@link NamedListener#DEFAULT_NAME})
 * or {@code listeners:} (several, each a {@code listen:} block with a {@code name}).
 */
final class ListenersSection {
  static final List<String> KEYS = keys();
  static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,32}");

  private final NodeReader reader;
  private final PolicyPaths paths;

  ListenersSection(NodeReader reader, PolicyPaths paths) {
    this.reader = reader;
    this.paths = paths;
  }

  /** What was read: the startup part and each listener's {@code clients} rules. */
  record Read(List<NamedListener> listeners, Map<String, ClientAddresses> clients) {
    NamedListener first() {
      return listeners.get(0);
    }

    ClientAddresses firstClients() {
      return clients.get(first().name());
    }

    List<String> names() {
      return listeners.stream().map(NamedListener::name).toList();
    }
  }

  Read read(MappingReader top) {
    if (!top.has("listeners")) {
      MappingReader listen = top.mapping("listen", ListenerSection.KEYS);
      return one(NamedListener.DEFAULT_NAME, listen);
    }
    if (top.has("listen")) {
      top.error("listeners", "conflicts with listen (write one listener under listen, or several under listeners)");
    }
    List<Node> items = top.sequence("listeners");
    if (items == null || items.isEmpty()) {
      if (items != null) {
        top.error("listeners", "must list at least one listener");
      }
      return new Read(List.of(new NamedListener(NamedListener.DEFAULT_NAME,
          new Listener(ListenerSection.DEFAULT_HOST, ListenerSection.DEFAULT_PORT, null), false)),
          Map.of(NamedListener.DEFAULT_NAME, ClientsSection.CLOSED));
    }
    List<NamedListener> listeners = new ArrayList<>();
    Map<String, ClientAddresses> clients = new LinkedHashMap<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      MappingReader m = reader.mapping(items.get(i), "listeners[" + i + "]", KEYS);
      String name = name(m, i, names);
      Read one = one(name, m);
      NamedListener listener = one.first();
      checkAddress(m, listener, listeners);
      listeners.add(listener);
      clients.putIfAbsent(name, one.firstClients());
    }
    return new Read(listeners, clients);
  }

  private Read one(String name, MappingReader m) {
    Listener listen = new ListenerSection(paths).read(m);
    ClientsSection.Listening clients = ClientsSection.listener(m);
    return new Read(List.of(new NamedListener(name, listen, clients.proxyProtocol())),
        Map.of(name, clients.addresses()));
  }

  /** The entry's name; on an error a placeholder, unique per entry, so that the rest is still checked. */
  private static String name(MappingReader m, int index, Map<String, Integer> seen) {
    m.requireKey("name", "required (a unique name such as public or internal; routes name it in listeners)");
    String name = m.string("name", null);
    String placeholder = "#" + index;
    if (name == null) {
      return placeholder;
    }
    if (!NAME.matcher(name).matches()) {
      m.error("name", "must be 1 to 32 of a-z, 0-9, _ and -, got " + NodeReader.quote(name));
      return placeholder;
    }
    Integer first = seen.putIfAbsent(name, index);
    if (first != null) {
      m.error("name", "duplicate listener name " + NodeReader.quote(name) + " (also listeners[" + first + "])");
      return placeholder;
    }
    return name;
  }

  /** Two listeners cannot bind one port on overlapping addresses; port 0 is a fresh port each time. */
  private static void checkAddress(MappingReader m, NamedListener listener, List<NamedListener> before) {
    Listener l = listener.listen();
    for (int j = 0; j < before.size(); j++) {
      Listener other = before.get(j).listen();
      if (ProbesSection.clashes(l.host(), l.port(), other.host(), other.port())) {
        m.error("port", "port " + l.port() + " on " + l.host() + " is bound by listeners[" + j + "] ("
            + before.get(j).name() + ", host " + other.host() + ") too (choose another port or address)");
        return;
      }
    }
  }

  private static List<String> keys() {
    List<String> all = new ArrayList<>(List.of("name"));
    all.addAll(ListenerSection.KEYS);
    return List.copyOf(all);
  }
}
