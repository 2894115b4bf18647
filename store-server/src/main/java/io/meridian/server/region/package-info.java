/**
 * A region as a running server. {@link io.meridian.server.region.RegionDriver} is the region's
 * logic without threads or a wall clock: it owns one {@link io.meridian.replication.ReplicaCore},
 * the key states (CRDTs in memory), the operation ids, the waiting sessions and the checkpoints,
 * over small interfaces for the update log, the checkpoint store, the frame sink and time, so a
 * test or a simulator drives it on one thread. {@link io.meridian.server.region.RegionOwner}
 * confines the driver to one Vert.x context (nothing takes a lock) and wires it to the log on disk
 * (group commit off the event loop) and MapDB (commits on a worker). HTTP handlers and the
 * replication transport hand it work and get futures back; no event loop ever waits for a disk.
 *
 * <p>The driver follows the order of {@link io.meridian.replication.Ready}: persist entries, apply
 * them, install a state transfer and checkpoint it, answer the clients, advance. Sessions follow
 * Terry et al., "Session guarantees for weakly consistent replicated data", PDIS 1994.
 */
package io.meridian.server.region;
