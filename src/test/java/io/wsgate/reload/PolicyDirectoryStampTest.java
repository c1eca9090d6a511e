package io.wsgate.reload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class PolicyDirectoryStampTest {
  @TempDir
  Path dir;

  @Test
  void logsSwapFilesAndTemporariesDoNotChangeTheStamp() throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), "listen: {}\n");
    String before = PolicyDirectoryStamp.of(dir);
    for (String noise : new String[] {"wsgate.log", ".gateway.yaml.swp", "gateway.yaml~", "upload.tmp", ".hidden"}) {
      Files.writeString(dir.resolve(noise), "written while the gateway runs");
    }
    assertEquals(before, PolicyDirectoryStamp.of(dir));
  }

  @Test
  void thePolicyAndTheFilesBesideItDoChangeTheStamp() throws Exception {
    Files.writeString(dir.resolve("gateway.yaml"), "listen: {}\n");
    String first = PolicyDirectoryStamp.of(dir);
    Files.writeString(dir.resolve("issuer.pem"), "a rotated key");
    String second = PolicyDirectoryStamp.of(dir);
    assertNotEquals(first, second, "a key file next to the policy is an input");
    Files.writeString(dir.resolve("gateway.yaml"), "listen: {port: 1}\n");
    assertNotEquals(second, PolicyDirectoryStamp.of(dir));
  }
}
