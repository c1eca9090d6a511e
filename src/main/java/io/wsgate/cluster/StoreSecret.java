package io.wsgate.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The credentials for the cluster store: an optional ACL user name and a password read from an
 * environment variable or a file (a mounted secret), never from the policy itself. {@link #toString}
 * tells where the password came from, never what it is.
 *
 * <pre>{@code
 * StoreSecret secret = StoreSecret.fromFile("wsgate", Path.of("/run/secrets/redis-password"));
 * StoreSecret none = StoreSecret.NONE;               // a Redis without AUTH (loopback, tests)
 * }</pre>
 */
public final class StoreSecret {
  /** No AUTH at all. */
  public static final StoreSecret NONE = new StoreSecret(null, null, "no password");

  private final String user;
  private final char[] password;
  private final String source;

  private StoreSecret(String user, char[] password, String source) {
    this.user = user;
    this.password = password;
    this.source = source;
  }

  /**
   * The password in environment variable {@code variable}.
   *
   * @throws IllegalArgumentException when it is not set or empty (a typo must not mean "no password")
   */
  public static StoreSecret fromEnv(String user, String variable, Map<String, String> environment) {
    Objects.requireNonNull(variable, "variable");
    String value = environment.get(variable);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("cluster.passwordEnv: environment variable " + variable + " is not set");
    }
    return new StoreSecret(user, value.toCharArray(), "environment variable " + variable);
  }

  /**
   * The password in {@code file}: its content less one trailing line break (as {@code echo} writes
   * it). Blocking: read it while the policy is loaded, off any event loop.
   */
  public static StoreSecret fromFile(String user, Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    String value = Files.readString(file, StandardCharsets.UTF_8);
    if (value.endsWith("\r\n")) {
      value = value.substring(0, value.length() - 2);
    } else if (value.endsWith("\n")) {
      value = value.substring(0, value.length() - 1);
    }
    if (value.isEmpty()) {
      throw new IOException("cluster.passwordFile: " + file + " is empty");
    }
    return new StoreSecret(user, value.toCharArray(), "file " + file);
  }

  /** The password given as is (tests). */
  public static StoreSecret of(String user, char[] password) {
    return new StoreSecret(user, password.clone(), "given");
  }

  public boolean present() {
    return password != null;
  }

  /** ACL user, or null for the default user. */
  public String user() {
    return user;
  }

  /** A copy: callers may wipe it. */
  char[] password() {
    return password == null ? null : password.clone();
  }

  @Override
  public String toString() {
    return password == null ? source : "password from " + source + (user == null ? "" : " for user " + user);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoreSecret other && Objects.equals(user, other.user) && Arrays.equals(password, other.password);
  }

  @Override
  public int hashCode() {
    return Objects.hash(user, Arrays.hashCode(password));
  }
}
