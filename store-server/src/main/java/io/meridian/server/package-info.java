/**
 * A Meridian region process: {@link io.meridian.server.Region} assembles storage, the replication
 * listener and the HTTP API from a {@link io.meridian.server.RegionConfig}. Subpackages hold the
 * parts: {@code storage} (update log, checkpoints, data directory), {@code tls}, {@code session},
 * {@code http} and {@code cli} (the {@code meridian} command line).
 */
package io.meridian.server;
