/**
 * A deterministic simulator of Meridian's replication, after TigerBeetle's VOPR: one seed derives
 * the regions, the faults (loss, duplication, reordering, long-tailed delays, partitions, crashes,
 * clock skew and backward jumps) and the workload; a run is a bounded number of ticks, then
 * everything heals, and checkers verify S1, S2, S3, S6, S7, L1 and the bounds. A failure names the
 * seed and the one command that replays it.
 */
package io.meridian.replication.simulation;
