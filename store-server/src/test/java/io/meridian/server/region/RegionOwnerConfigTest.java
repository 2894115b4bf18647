package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.replication.ReplicationConfig;
import io.meridian.server.storage.UpdateLogConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegionOwnerConfigTest {
  private static final Path DIRECTORY = Path.of("data");

  @Test
  void theDefaultsFitOneReadyIntoTheLogQueue() {
    RegionOwnerConfig config =
        RegionOwnerConfig.defaults(
            ReplicationConfig.builder("a", List.of("a", "b")).build(), DIRECTORY);
    assertThat(config.updateLog().appendQueueEntriesMax())
        .isGreaterThanOrEqualTo(config.replication().entriesPerReadyMax());
  }

  @Test
  void aLogQueueSmallerThanOneReadyIsRefused() {
    RegionOwnerConfig defaults =
        RegionOwnerConfig.defaults(
            ReplicationConfig.builder("a", List.of("a", "b")).entriesPerReadyMax(100).build(),
            DIRECTORY);
    assertThatThrownBy(
            () ->
                new RegionOwnerConfig(
                    defaults.replication(),
                    DIRECTORY,
                    UpdateLogConfig.defaults().withAppendQueueEntriesMax(99),
                    defaults.tickMillis(),
                    defaults.checkpointIntervalMillis(),
                    defaults.operationIdRetentionMillis(),
                    defaults.operationIdsMax(),
                    defaults.pendingWritesMax(),
                    defaults.sessionWaitersMax(),
                    true,
                    defaults.stateCacheBytes(),
                    defaults.changedKeysMax(),
                    defaults.changedKeysHardMax()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must hold one Ready's entries (100)");
  }

  @Test
  void aNegativeStateCacheAndNoChangedKeysAreRefused() {
    RegionOwnerConfig defaults =
        RegionOwnerConfig.defaults(ReplicationConfig.builder("a", List.of("a")).build(), DIRECTORY);
    assertThat(defaults.withStateMemory(0, 1).stateCacheBytes()).isZero();
    assertThatThrownBy(() -> defaults.withStateMemory(-1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stateCacheBytes");
    assertThatThrownBy(() -> defaults.withStateMemory(0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("changedKeysMax");
    assertThat(defaults.withStateMemory(0, 3).changedKeysHardMax()).isEqualTo(12);
    assertThat(defaults.changedKeysHardMax()).isEqualTo(400_000);
    assertThatThrownBy(() -> defaults.withStateMemory(0, 3, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("changedKeysHardMax (2) must be at least changedKeysMax (3)");
  }
}
