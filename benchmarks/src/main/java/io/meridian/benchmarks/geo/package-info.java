/**
 * The geo-replication harness: regions as separate {@code meridian server} processes on loopback, a
 * WAN proxy of the project's own on every directed link (delay, jitter, bandwidth, emulated loss,
 * partitions that hold or drop, one-way partitions, flapping), process faults ({@code kill -9} and
 * restart, SIGSTOP/SIGCONT), open-loop clients over raw HTTP with sessions and operation ids, a
 * history checker, and a JSON and HTML report. {@link io.meridian.benchmarks.geo.GeoHarness} is the
 * command.
 */
package io.meridian.benchmarks.geo;
