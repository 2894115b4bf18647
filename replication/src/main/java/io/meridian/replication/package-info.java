/**
 * Meridian's replication protocol as an I/O-free state machine, in the style of etcd's raft: one
 * {@link io.meridian.replication.ReplicaCore} per region takes inputs (a local update, a frame from
 * a peer, a tick) and hands everything it wants done to its driver in a {@link
 * io.meridian.replication.Ready}: log records to persist, entries to make visible, a state transfer
 * to install, frames to send, client requests to acknowledge.
 *
 * <ul>
 *   <li>Causal delivery of entries {@code (origin, seq, hlc, deps, payload)} with a bounded buffer
 *       (Ahamad et al., "Causal memory", 1995; Lloyd et al., COPS, SOSP 2011).
 *   <li>Forwarding of every entry a peer lacks, acknowledgement by applied vectors, log trimming of
 *       stable entries (Wuu and Bernstein, PODC 1984).
 *   <li>Anti-entropy by range digests and atomic state transfer for a peer that needs entries no
 *       longer in any log (Demers et al., PODC 1987).
 * </ul>
 *
 * <p>The payload is opaque: the application (the CRDT types in the server) sits behind {@link
 * io.meridian.replication.ApplicationState}.
 */
package io.meridian.replication;
