/**
 * Meridian's CRDTs: every type of the API's table as an immutable state with delta mutators, join,
 * value and a garbage-collecting fold, built on one dot-store kernel (Almeida, Shoker, Baquero,
 * "Delta state replicated data types", 2018). {@link io.meridian.crdt.CrdtRegistry} is the entry
 * point: type names to {@link io.meridian.crdt.CrdtType}s, request parsing, context strings and
 * codecs. Pure functions; no I/O.
 */
package io.meridian.crdt;
