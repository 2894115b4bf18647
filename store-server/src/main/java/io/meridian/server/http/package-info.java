/**
 * The HTTP/JSON API of a region on Vert.x Web (API "Endpoints"): the {@link
 * io.meridian.server.http.HttpApi} router with its error model, body limit, name and header
 * validation, health, metrics and latency timers. What the key, batch, read and status endpoints do
 * is behind {@link io.meridian.server.http.RegionService}, which the replication integration
 * implements.
 */
package io.meridian.server.http;
