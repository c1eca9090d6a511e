package io.wsgate;

import io.wsgate.policy.Route;
import io.wsgate.upstream.UpstreamPool;

/** A route of the current snapshot together with what was built for it once: its upstream pool. */
public record RoutePlan(Route route, UpstreamPool pool) {
}
