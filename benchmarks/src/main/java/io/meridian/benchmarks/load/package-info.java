/**
 * The HTTP load tool: closed-loop throughput, open-loop latency at a fixed rate (measured from each
 * request's intended start, so a stalled server is not hidden by a stalled client: Tene's
 * "coordinated omission"), and cross-region visibility delay. It starts three regions in this
 * process or drives regions given by address, on loopback.
 */
package io.meridian.benchmarks.load;
