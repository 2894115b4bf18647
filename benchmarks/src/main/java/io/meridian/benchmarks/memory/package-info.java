/**
 * Memory figures of a region: heap after GC and resident set size per key and per aw-set element,
 * the data directory's size, and reads of cold keys ({@link
 * io.meridian.benchmarks.memory.MemoryFigures}).
 */
package io.meridian.benchmarks.memory;
