package io.wsgate.policy;

/**
 * A route's guards and filters.
 *
 * @param ipRules  extra address rules for this route (narrowing the listener's); null = none
 * @param origins  Origin allowlist (required)
 * @param auth     authentication and authorization (required: anonymous or issuers)
 * @param messages message filters per direction
 */
public record RouteSecurity(IpRules ipRules, OriginRules origins, Auth auth, MessageRules messages) {
}
