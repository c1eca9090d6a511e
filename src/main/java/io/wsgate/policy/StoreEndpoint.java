package io.wsgate.policy;

import io.lettuce.core.RedisURI;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the cluster store is: one Redis, a Sentinel-managed master, or a Redis Cluster, parsed from
 * the policy's {@code cluster.redis} string. A password does not belong in that string (policies are
 * files that get copied and diffed): it comes from {@code cluster.passwordEnv} or
 * {@code cluster.passwordFile}, and a URI with credentials in it is refused.
 *
 * <ul>
 *   <li>{@code redis://host:port[/db]} and {@code rediss://...} (TLS): one server;</li>
 *   <li>{@code redis-sentinel://host:port[,host:port...][/db]#masterId} (or {@code rediss-sentinel}):
 *       the master that these Sentinels name;</li>
 *   <li>{@code redis-cluster://host:port[,host:port...]} (or {@code rediss-cluster}): seed nodes of a
 *       Redis Cluster. Not a Lettuce scheme: wsgate's, turned into one {@code redis://} URI per seed.</li>
 * </ul>
 *
 * <pre>{@code
 * StoreEndpoint endpoint = StoreEndpoint.parse("redis-sentinel://10.0.0.5:26379,10.0.0.6:26379#wsgate");
 * log.info("cluster store {}", endpoint.redacted());   // never prints credentials
 * }</pre>
 *
 * @param kind     standalone, Sentinel or Cluster
 * @param sources  one URI (standalone, Sentinel: Lettuce reads the Sentinels from it) or the Cluster seeds
 * @param redacted the endpoint as it may be logged
 */
public record StoreEndpoint(Kind kind, List<String> sources, String redacted) {
  /** How the store is deployed. */
  public enum Kind { STANDALONE, SENTINEL, CLUSTER }

  public StoreEndpoint {
    Objects.requireNonNull(kind, "kind");
    sources = List.copyOf(sources);
    Objects.requireNonNull(redacted, "redacted");
    if (sources.isEmpty()) {
      throw new IllegalArgumentException("no Redis address");
    }
  }

  /**
   * @throws IllegalArgumentException naming the problem (never echoing a password) when {@code text}
   *     is not one of the forms above
   */
  public static StoreEndpoint parse(String text) {
    Objects.requireNonNull(text, "redis");
    String trimmed = text.strip();
    int colon = trimmed.indexOf("://");
    if (colon <= 0) {
      throw new IllegalArgumentException("redis: expected redis://, rediss://, redis-sentinel:// or redis-cluster://"
          + " followed by host:port");
    }
    String scheme = trimmed.substring(0, colon).toLowerCase(Locale.ROOT);
    String rest = trimmed.substring(colon + 3);
    int at = rest.lastIndexOf('@', firstOf(rest, "/#?"));
    if (at >= 0) {
      throw new IllegalArgumentException("redis: credentials in the URI are not accepted; give the password with "
          + "passwordEnv or passwordFile (scheme " + scheme + ")");
    }
    return switch (scheme) {
      case "redis", "rediss" -> {
        RedisURI uri = lettuce(trimmed);
        yield new StoreEndpoint(Kind.STANDALONE, List.of(trimmed), scheme + "://" + uri.getHost() + ":" + uri.getPort()
            + "/" + uri.getDatabase());
      }
      case "redis-sentinel", "rediss-sentinel" -> {
        RedisURI uri = lettuce(trimmed);
        if (uri.getSentinelMasterId() == null || uri.getSentinelMasterId().isEmpty()) {
          throw new IllegalArgumentException("redis: a Sentinel URI names its master after '#', e.g. "
              + "redis-sentinel://host:26379#mymaster");
        }
        List<String> sentinels = new ArrayList<>();
        uri.getSentinels().forEach(s -> sentinels.add(s.getHost() + ":" + s.getPort()));
        yield new StoreEndpoint(Kind.SENTINEL, List.of(trimmed), scheme + "://" + String.join(",", sentinels)
            + "#" + uri.getSentinelMasterId());
      }
      case "redis-cluster", "rediss-cluster" -> {
        String seeds = rest.replaceAll("/+$", "");
        if (seeds.isEmpty() || seeds.contains("/") || seeds.contains("#") || seeds.contains("?")) {
          throw new IllegalArgumentException("redis: a Cluster URI lists seed nodes only, e.g. "
              + "redis-cluster://10.0.0.5:6379,10.0.0.6:6379");
        }
        String base = scheme.startsWith("rediss") ? "rediss://" : "redis://";
        List<String> uris = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (String seed : seeds.split(",")) {
          RedisURI uri = lettuce(base + seed.strip());
          uris.add(base + seed.strip());
          shown.add(uri.getHost() + ":" + uri.getPort());
        }
        yield new StoreEndpoint(Kind.CLUSTER, uris, scheme + "://" + String.join(",", shown));
      }
      default -> throw new IllegalArgumentException("redis: unknown scheme '" + scheme
          + "' (expected redis, rediss, redis-sentinel, rediss-sentinel, redis-cluster or rediss-cluster)");
    };
  }

  /**
   * Fresh Lettuce URIs, one per source, for the caller to add credentials to. (Fresh because a
   * RedisURI is mutable, and because Lettuce's copying builder drops a Sentinel URI's Sentinels.)
   */
  public List<RedisURI> uris() {
    return sources.stream().map(RedisURI::create).toList();
  }

  /** Whether the connection is TLS (rediss schemes). */
  public boolean tls() {
    return uris().get(0).isSsl();
  }

  @Override
  public String toString() {
    return redacted;
  }

  private static RedisURI lettuce(String text) {
    try {
      return RedisURI.create(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("redis: not a usable Redis URI (" + e.getMessage() + ")", e);
    }
  }

  private static int firstOf(String s, String chars) {
    int first = s.length();
    for (char c : chars.toCharArray()) {
      int i = s.indexOf(c);
      if (i >= 0 && i < first) {
        first = i;
      }
    }
    return first;
  }
}
