package io.wsgate.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and commit this build was made from, written into {@code build.properties} by Maven's
 * resource filtering (the commit by git-commit-id-maven-plugin); {@code unknown} when a value was
 * not filled in, as in a build outside git.
 */
public record BuildInfo(String version, String commit) {
  private static final String RESOURCE = "/io/wsgate/build.properties";
  private static final String UNKNOWN = "unknown";

  public static BuildInfo current() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // Left empty: both read as unknown.
    }
    return new BuildInfo(known(properties.getProperty("version")), known(properties.getProperty("commit")));
  }

  private static String known(String value) {
    return value == null || value.isBlank() || value.startsWith("${") ? UNKNOWN : value;
  }
}
