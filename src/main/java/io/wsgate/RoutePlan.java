package io.wsgate;

import io.wsgate.filter.MessagePipeline;
import io.wsgate.policy.Route;
import io.wsgate.upstream.UpstreamPool;

/** A route of the current snapshot with what was built for it once: its pool and message pipelines. */
public record RoutePlan(Route route, UpstreamPool pool, MessagePipeline toUpstream, MessagePipeline toClient) {
}
