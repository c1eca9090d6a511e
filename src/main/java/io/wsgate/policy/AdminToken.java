package io.wsgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Reads the admin bearer token the one way the loader checks it and the admin listener uses it:
 * the file's bytes, or the environment variable's UTF-8 bytes, minus one trailing {@code \n} or
 * {@code \r\n}. Messages name the file or the variable, never the token.
 *
 * <pre>{@code
 * byte[] token = AdminToken.read(policy.admin()); // hash it, then Arrays.fill(token, (byte) 0)
 * }</pre>
 */
public final class AdminToken {
  /** Shorter tokens are a policy error: {@code openssl rand -hex 32} gives 64. */
  public static final int MIN_BYTES = 16;
  static final int MAX_BYTES = 4096;

  private AdminToken() {
  }

  /**
   * @return the token bytes; the caller should zero them once it holds a digest
   * @throws IllegalStateException when no token is configured, or it is missing, unreadable, too short or too long
   */
  public static byte[] read(AdminSettings admin) {
    return read(admin, System::getenv);
  }

  static byte[] read(AdminSettings admin, Function<String, String> env) {
    byte[] token;
    String what;
    if (admin.tokenFile() != null) {
      what = "the token in " + admin.tokenFile();
      try (InputStream in = Files.newInputStream(admin.tokenFile())) {
        token = in.readNBytes(MAX_BYTES + 1);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + admin.tokenFile() + ": " + e.getClass().getSimpleName());
      }
    } else if (admin.tokenEnv() != null) {
      what = "environment variable " + admin.tokenEnv();
      String value = env.apply(admin.tokenEnv());
      if (value == null) {
        throw new IllegalStateException("environment variable " + admin.tokenEnv() + " is not set");
      }
      token = value.getBytes(StandardCharsets.UTF_8);
    } else {
      throw new IllegalStateException("no admin token configured");
    }
    token = HmacSecrets.stripNewline(token);
    if (token.length > MAX_BYTES) {
      Arrays.fill(token, (byte) 0);
      throw new IllegalStateException(what + " is longer than " + MAX_BYTES + " bytes (the file must hold only the token)");
    }
    if (token.length < MIN_BYTES) {
      int length = token.length;
      Arrays.fill(token, (byte) 0);
      throw new IllegalStateException(length == 0 ? what + " is empty"
          : what + " is " + length + " bytes, too short: at least " + MIN_BYTES + " bytes");
    }
    for (byte b : token) {
      if (b <= 0x20 || b == 0x7f) {
        Arrays.fill(token, (byte) 0);
        throw new IllegalStateException(what + " must be printable ASCII without spaces (it is sent in a header)");
      }
    }
    return token;
  }
}
