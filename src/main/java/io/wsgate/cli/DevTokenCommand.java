package io.wsgate.cli;

import io.wsgate.DevMaterial;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.Issuer;
import io.wsgate.policy.PolicyException;
import io.wsgate.policy.PolicyLoader;
import io.wsgate.token.DevTokens;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "dev-token", mixinStandardHelpOptions = true,
    description = "Print a development access token (ES256) from the policy's issuer named 'dev': its iss, "
        + "its first audience, signed with the private key in its keys.jwkFile. Only the token goes to stdout.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:token printed", "1:invalid policy, no usable 'dev' issuer, or unreadable key file",
        "2:usage error"})
final class DevTokenCommand implements Callable<Integer> {
  static final String DEV_ISSUER = "dev";

  @Option(names = "--sub", required = true, paramLabel = "SUBJECT", description = "The token's subject (sub).")
  String subject;

  @Option(names = "--scope", paramLabel = "SCOPE", split = ",",
      description = "A scope; repeat or separate with commas.")
  List<String> scopes = new ArrayList<>();

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
      description = "Lifetime: a number followed by ms, s, m, h or d (default: ${DEFAULT-VALUE}).")
  Duration ttl;

  @Option(names = "--policies", paramLabel = "DIR", defaultValue = "policies",
      description = "Policy directory or gateway.yaml file (default: ${DEFAULT-VALUE}).")
  Path policies;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GatewayPolicy policy;
    try {
      policy = PolicyLoader.load(policies);
    } catch (PolicyException e) {
      err.println(e.getMessage());
      err.flush();
      return 1;
    }
    return run(policy, out, err);
  }

  /** Mints from an already loaded policy: the token alone on {@code out}, problems on {@code err}. */
  int run(GatewayPolicy policy, PrintWriter out, PrintWriter err) {
    try {
      DevMaterial.generateIssuerKeys(policy);
    } catch (IllegalStateException e) {
      err.println("dev-token: " + e.getMessage());
      err.flush();
      return 1;
    }
    Issuer dev = policy.security().issuers().stream()
        .filter(i -> i.name().equals(DEV_ISSUER))
        .findFirst().orElse(null);
    String problem = dev == null ? "the policy has no issuer named '" + DEV_ISSUER + "'"
        : dev.keys() == null || dev.keys().jwkFile() == null ? "issuer '" + DEV_ISSUER + "' has no keys.jwkFile"
        : dev.audiences().isEmpty() ? "issuer '" + DEV_ISSUER + "' has no audience"
        : !dev.algorithms().contains("ES256") ? "issuer '" + DEV_ISSUER + "' does not accept ES256"
        : null;
    if (problem != null) {
      err.println("dev-token: " + problem + " (" + policy.source() + "); add an issuer 'dev' with keys.jwkFile "
          + "pointing at a JWK Set holding a private EC P-256 key");
      err.flush();
      return 1;
    }
    String token;
    try {
      token = DevTokens.mint(dev.keys().jwkFile(), dev.issuer(), dev.audiences().get(0), subject, scopes, ttl);
    } catch (IOException e) {
      err.println("dev-token: cannot read " + dev.keys().jwkFile() + " (" + e.getClass().getSimpleName() + ")");
      err.flush();
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("dev-token: " + e.getMessage());
      err.flush();
      return 1;
    }
    out.println(token);
    out.flush();
    return 0;
  }

  /** {@code 500ms 30s 10m 2h 1d}, positive. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
      Matcher m = DURATION.matcher(value);
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new CommandLine.TypeConversionException("expected a positive number followed by ms, s, m, h or d, "
            + "e.g. 10m, got '" + value + "'");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
  }
}
