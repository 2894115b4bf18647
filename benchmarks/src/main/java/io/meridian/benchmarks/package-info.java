/** JMH micro-benchmarks of Meridian's hot code: clocks, CRDT joins and codecs. */
package io.meridian.benchmarks;
