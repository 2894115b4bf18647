/**
 * Time and causality for Meridian, in plain Java with no I/O and no wall clock read inside.
 *
 * <ul>
 *   <li>{@link io.meridian.clocks.VersionVector}: a map from replica to the number of its events
 *       seen, compared as a partial order and merged as a least upper bound.
 *   <li>{@link io.meridian.clocks.Dot} and {@link io.meridian.clocks.CausalContext}: single events,
 *       and the set of events a replica has seen as a compact vector plus a cloud of dots beyond
 *       it. This is the kernel of the delta-state CRDTs.
 *   <li>{@link io.meridian.clocks.HybridLogicalClock}: the hybrid logical clock of Kulkarni et al.
 *       (2014), driven by an injected {@link io.meridian.clocks.PhysicalClock}.
 *   <li>{@link io.meridian.clocks.LamportClock}.
 *   <li>{@link io.meridian.clocks.ClocksCodec}: deterministic protobuf encodings; decoding
 *       malformed bytes throws only {@link io.meridian.clocks.DecodeException}.
 * </ul>
 */
package io.meridian.clocks;
