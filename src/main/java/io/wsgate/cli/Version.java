package io.wsgate.cli;

import picocli.CommandLine;

final class Version implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"wsgate " + (version == null ? "dev" : version)};
  }
}
