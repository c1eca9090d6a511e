package io.wsgate.policy;

import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/** Reads {@code listen.clients} (who may connect at all) and a route's optional {@code clients}. */
final class ClientsSection {
  static final List<String> LISTENER_KEYS = List.of("allow", "deny", "trustedProxies", "proxyProtocol", "mode");
  static final List<String> ROUTE_KEYS = List.of("allow", "deny", "mode");
  /** What an invalid or missing section stands for: nobody may connect. */
  static final ClientAddresses CLOSED = new ClientAddresses(new IpRules(List.of(), List.of(), Mode.ENFORCE),
      List.of());

  private ClientsSection() {
  }

  /** {@code listen.clients}: the runtime rules, and {@code proxyProtocol}, which is fixed at start. */
  record Listening(ClientAddresses addresses, boolean proxyProtocol) {
  }

  static Listening listener(MappingReader listen) {
    listen.requireKey("clients", "required (list the addresses that may connect, e.g. allow: [0.0.0.0/0, \"::/0\"])");
    if (!listen.has("clients")) {
      return new Listening(CLOSED, false);
    }
    MappingReader m = listen.mapping("clients", LISTENER_KEYS);
    IpRules rules = ipRules(m);
    List<Cidr> trustedProxies = m.has("trustedProxies") ? cidrs(m, "trustedProxies") : List.of();
    boolean proxyProtocol = m.bool("proxyProtocol", false);
    boolean proxiesWritten = m.value("trustedProxies") instanceof SequenceNode seq && !seq.getValue().isEmpty();
    if (proxyProtocol && !proxiesWritten) {
      // Without them the declared source is never believed: every client would be the load balancer
      // and share its per-IP limits and address rules.
      m.error("proxyProtocol", "proxyProtocol: true needs trustedProxies: add the load balancer's addresses"
          + " (e.g. trustedProxies: [10.0.0.10]), or every client gets the load balancer's address");
    }
    return new Listening(new ClientAddresses(rules, trustedProxies), proxyProtocol);
  }

  /** A route's own address rules; null when the route has none. */
  static IpRules route(MappingReader route) {
    return route.has("clients") ? ipRules(route.mapping("clients", ROUTE_KEYS)) : null;
  }

  private static IpRules ipRules(MappingReader m) {
    m.requireKey("allow", "required (the addresses that may connect; [] refuses everyone)");
    List<Cidr> allow = m.has("allow") ? cidrs(m, "allow") : List.of();
    List<Cidr> deny = m.has("deny") ? cidrs(m, "deny") : List.of();
    return new IpRules(allow, deny, m.mode());
  }

  private static List<Cidr> cidrs(MappingReader m, String key) {
    List<MappingReader.StringItem> items = m.strings(key);
    List<Cidr> out = new ArrayList<>();
    if (items == null) {
      return out;
    }
    for (MappingReader.StringItem item : items) {
      try {
        Cidr cidr = Cidr.parse(item.value());
        if (out.contains(cidr)) {
          m.reader().error(item.node(), item.field(), "duplicate network " + NodeReader.quote(item.value()));
        } else {
          out.add(cidr);
        }
      } catch (IllegalArgumentException e) {
        m.reader().error(item.node(), item.field(), e.getMessage());
      }
    }
    return out;
  }
}
