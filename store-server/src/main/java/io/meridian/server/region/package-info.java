/**
 * A region as a running server: {@link io.meridian.server.region.RegionOwner} owns one {@link
 * io.meridian.replication.ReplicaCore}, the key states (CRDTs in memory, checkpointed to MapDB) and
 * the update log, all driven from one Vert.x context, so nothing in it takes a lock. HTTP handlers
 * and the replication transport hand it work and get futures back; no event loop ever waits for a
 * disk.
 *
 * <p>The driver follows the order of {@link io.meridian.replication.Ready}: persist entries (group
 * commit, off the event loop), apply them, install a state transfer and checkpoint it, answer the
 * clients, advance. Sessions follow Terry et al., "Session guarantees for weakly consistent
 * replicated data", PDIS 1994.
 */
package io.meridian.server.region;
