package io.wsgate.metrics;

import java.util.List;

/** What {@code /metrics} reads about the upstream members of the policy in force, at scrape time. */
public interface UpstreamGauges {
  /**
   * One member of one route.
   *
   * @param route    the route's path
   * @param match    {@code exact} or {@code prefix}
   * @param member   the member as the policy lists it ({@code demo} or its URL)
   * @param up       neither cooling down nor marked down by its health check
   * @param sessions live sessions on it (and dials in flight)
   */
  record Member(String route, String match, String member, boolean up, int sessions) {
  }

  List<Member> members();
}
