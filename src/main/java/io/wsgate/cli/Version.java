package io.wsgate.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.jar.Manifest;

/** {@code wsgate --version}: the version and commit the packaged jar's manifest records. */
final class Version implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    Manifest manifest = manifest();
    String version = manifest == null ? null : manifest.getMainAttributes().getValue("Implementation-Version");
    String build = manifest == null ? null : manifest.getMainAttributes().getValue("Implementation-Build");
    if (version == null) {
      return new String[] {"wsgate (not built as a jar: no version recorded)"};
    }
    boolean knownCommit = build != null && !build.isEmpty() && !build.startsWith("${");
    return new String[] {"wsgate " + version + " (commit " + (knownCommit ? build : "unknown") + ")"};
  }

  /** The manifest of the jar this class was loaded from, or null when it was not loaded from a jar. */
  private static Manifest manifest() {
    URL self = Version.class.getResource("Version.class");
    if (self == null || !"jar".equals(self.getProtocol())) {
      return null;
    }
    String path = self.toString();
    try (InputStream in = new URL(path.substring(0, path.indexOf("!/") + 2) + "META-INF/MANIFEST.MF").openStream()) {
      return new Manifest(in);
    } catch (IOException e) {
      return null;
    }
  }
}
