package io.wsgate.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fails a test that leaves a gateway running: the closing checks of {@link StartedGateway#close()}
 * would otherwise never run for it. Such a gateway is closed here, and what its checks found is
 * part of the failure. Gateways started in {@code @BeforeAll} are held to {@code @AfterAll}.
 * Registered for every Jupiter test by autodetection ({@code junit-platform.properties} and
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension}).
 */
public final class UnclosedGatewayCheck implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(UnclosedGatewayCheck.class);
  private static final String OPEN_BEFORE = "gateways open before";

  @Override
  public void beforeAll(ExtensionContext context) {
    remember(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    remember(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    check(context, "test");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    check(context, "test class");
  }

  private static void remember(ExtensionContext context) {
    context.getStore(NAMESPACE).put(OPEN_BEFORE, StartedGateway.open());
  }

  private static void check(ExtensionContext context, String scope) {
    @SuppressWarnings("unchecked")
    Set<StartedGateway> before = context.getStore(NAMESPACE).get(OPEN_BEFORE, Set.class);
    Set<StartedGateway> leftOpen = new HashSet<>(StartedGateway.open());
    if (before != null) {
      leftOpen.removeAll(before);
    }
    if (leftOpen.isEmpty()) {
      return;
    }
    List<String> found = new ArrayList<>();
    for (StartedGateway gateway : leftOpen) {
      String what = "started at " + gateway.startedBy();
      try {
        gateway.close();
        found.add(what);
      } catch (AssertionError | RuntimeException e) {
        found.add(what + ", and closing it found: " + e.getMessage());
      }
    }
    throw new AssertionError("the " + scope + " left " + leftOpen.size()
        + " gateway(s) running (close the GatewayHarness or StartedGateway): " + String.join("; ", found));
  }
}
