/**
 * The region's disk: the {@link io.meridian.server.storage.UpdateLog} that makes every update
 * durable before it is acknowledged (group commit over CRC-checked segments), the {@link
 * io.meridian.server.storage.CheckpointStore} that keeps key states in MapDB as periodic
 * checkpoints, and the {@link io.meridian.server.storage.DataDirectory} that lays out and locks a
 * region's data directory. Restart is: open the last checkpoint, replay the log after the index it
 * records.
 */
package io.meridian.server.storage;
