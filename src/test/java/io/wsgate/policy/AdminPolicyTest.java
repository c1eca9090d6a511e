package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code admin:}: off when absent, loopback by default, a token required anywhere else. */
class AdminPolicyTest extends PolicyTestSupport {
  private static final String HEAD = PLAIN_LISTENER + ONE_ROUTE; // lines 1-8
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  @Test
  void absentOrEmptyValueMeansNoAdminListener() throws Exception {
    assertEquals(AdminSettings.DISABLED, load(HEAD).admin());
    assertEquals(AdminSettings.DISABLED, load(HEAD + "admin:\n").admin());
    assertFalse(AdminSettings.DISABLED.enabled());
  }

  @Test
  void presentMeansEnabledOnLoopback9090() throws Exception {
    assertEquals(new AdminSettings(true, "127.0.0.1", 9090, null, null), load(HEAD + "admin: {}\n").admin());
    assertEquals(new AdminSettings(true, "::1", 0, null, null), load(HEAD + "admin: { host: \"::1\", port: 0 }\n").admin());
    assertEquals(new AdminSettings(true, "localhost", 9191, null, null),
        load(HEAD + "admin: { host: localhost, port: 9191 }\n").admin());
    assertEquals(new AdminSettings(false, "0.0.0.0", 9090, null, null),
        load(HEAD + "admin: { enabled: false, host: 0.0.0.0 }\n").admin(), "disabled: no token needed");
  }

  @Test
  void anythingButLoopbackRequiresAToken() throws Exception {
    assertEquals("10:9: admin.host: binding \"0.0.0.0\" (not a loopback address) requires a bearer token:"
            + " set admin.tokenFile or admin.tokenEnv",
        onlyError(HEAD + "admin:\n  host: 0.0.0.0\n"));
    assertEquals("9:16: admin.host: binding \"10.1.2.3\" (not a loopback address) requires a bearer token:"
            + " set admin.tokenFile or admin.tokenEnv",
        onlyError(HEAD + "admin: { host: 10.1.2.3 }\n"));
    assertTrue(onlyError(HEAD + "admin: { host: admin.internal }\n").contains("requires a bearer token"),
        "host names are never resolved: only localhost counts as loopback");
  }

  @Test
  void aTokenFileOrVariableIsChecked() throws Exception {
    Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
    AdminSettings fromFile = load(HEAD + "admin: { host: 0.0.0.0, tokenFile: admin.token }\n").admin();
    assertEquals(new AdminSettings(true, "0.0.0.0", 9090, abs("admin.token"), null), fromFile);
    assertTrue(fromFile.tokenRequired());
    assertArrayEquals(TOKEN.getBytes(StandardCharsets.US_ASCII), AdminToken.read(fromFile), "one trailing newline dropped");

    env = Map.of("ADMIN_TOKEN", TOKEN)::get;
    assertEquals(new AdminSettings(true, "127.0.0.1", 9090, null, "ADMIN_TOKEN"),
        load(HEAD + "admin: { tokenEnv: ADMIN_TOKEN }\n").admin(), "a token may be required on loopback too");
  }

  @Test
  void badTokensAreErrorsThatNeverShowTheToken() throws Exception {
    Files.writeString(dir.resolve("short.token"), "tooshort");
    Files.writeString(dir.resolve("spaced.token"), "has a space in the middle of it");
    env = Map.of("EMPTY", "")::get;
    List<String> errors = errors(HEAD + "admin:\n"
        + "  host: 0.0.0.0\n"
        + "  tokenFile: short.token\n");
    assertEquals(List.of("11:14: admin.tokenFile: the token in " + abs("short.token")
        + " is 8 bytes, too short: at least 16 bytes"), errors);
    assertFalse(errors.get(0).contains("tooshort"));
    assertEquals("9:21: admin.tokenFile: the token in " + abs("spaced.token")
            + " must be printable ASCII without spaces (it is sent in a header)",
        onlyError(HEAD + "admin: { tokenFile: spaced.token }\n"));
    assertEquals("9:21: admin.tokenFile: file not found: " + abs("missing.token"),
        onlyError(HEAD + "admin: { tokenFile: missing.token }\n"));
    assertEquals("9:20: admin.tokenEnv: environment variable NOPE is not set",
        onlyError(HEAD + "admin: { tokenEnv: NOPE }\n"));
    assertEquals("9:20: admin.tokenEnv: environment variable EMPTY is empty",
        onlyError(HEAD + "admin: { tokenEnv: EMPTY }\n"));
    assertEquals("9:20: admin.tokenEnv: invalid environment variable name \"NOT-A-NAME\"",
        onlyError(HEAD + "admin: { tokenEnv: NOT-A-NAME }\n"));
  }

  @Test
  void shapeErrors() throws Exception {
    Files.writeString(dir.resolve("admin.token"), TOKEN);
    env = Map.of("ADMIN_TOKEN", TOKEN)::get;
    assertEquals(List.of(
            "10:9: admin.port: must be between 0 and 65535, got 70000",
            "11:3: admin.tken: unknown key (expected one of: enabled, host, port, tokenFile, tokenEnv)",
            "13:13: admin.tokenEnv: conflicts with tokenFile (choose one)"),
        errors(HEAD + "admin:\n"
            + "  port: 70000\n"
            + "  tken: x\n"
            + "  tokenFile: admin.token\n"
            + "  tokenEnv: ADMIN_TOKEN\n"));
    assertEquals("9:19: admin.enabled: expected true or false, got \"yes\"",
        onlyError(HEAD + "admin: { enabled: yes }\n"));
    assertEquals("9:8: admin: expected a mapping, got a list", onlyError(HEAD + "admin: [9090]\n"));
  }

  @Test
  void loopbackAddresses() {
    for (String host : List.of("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST", "0:0:0:0:0:0:0:1")) {
      assertTrue(AdminSettings.isLoopback(host), host);
    }
    for (String host : List.of("0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "example.com", "localhost.example.com", "")) {
      assertFalse(AdminSettings.isLoopback(host), host);
    }
    assertThrows(IllegalArgumentException.class, () -> new AdminSettings(true, "127.0.0.1", 0, dir, "X"));
  }
}
