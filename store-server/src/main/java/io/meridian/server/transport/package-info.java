/**
 * The replication transport: length-prefixed protobuf frames between regions over mutual TLS
 * (Vert.x {@code NetServer}/{@code NetClient}). A peer is known by the region name in its
 * certificate, never by its address, and every frame's sender field must match it. Each peer has a
 * bounded send queue: when a peer is slow or gone, frames are dropped and the protocol sends them
 * again, so a local write never waits for another region (DESIGN L2).
 */
package io.meridian.server.transport;
