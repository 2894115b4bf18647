package io.meridian.replication;

import java.util.List;

/**
 * What {@link ReplicaCore#restore} rebuilt: the core, and the log entries after the checkpoint that
 * the driver applies to the key states, in this order, before it asks for the first {@link Ready}.
 *
 * @param core the rebuilt core
 * @param entriesToReplay entries on disk but not in the checkpoint, in causal order
 */
public record RestoredReplica(ReplicaCore core, List<LogEntry> entriesToReplay) {
  public RestoredReplica {
    entriesToReplay = List.copyOf(entriesToReplay);
  }
}
