/**
 * A gateway as one node of a fleet: the {@link io.wsgate.cluster} store wired behind the limits seam
 * ({@link io.wsgate.fleet.FleetBackend}: shared handshake and per-subject message rates, connection caps
 * as leases), revocations shared and pushed ({@link io.wsgate.fleet.FleetRevocations}), the roll call
 * and the store's health ({@link io.wsgate.fleet.Fleet}). Every store failure is decided here, once,
 * by the policy's {@code cluster.onStoreFailure} ({@link io.wsgate.fleet.StoreFallback}).
 *
 * <p>Store answers complete on Lettuce's threads; what touches a handshake goes back to the caller's
 * Vert.x context first. {@code docs/cluster.md} describes the model.
 */
package io.wsgate.fleet;
