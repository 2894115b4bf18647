package io.meridian.server.storage;

import static io.meridian.server.storage.ChildProcess.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.meridian.clocks.VersionVector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
  @TempDir Path directory;

  private Path file() {
    return directory.resolve("state.db");
  }

  private static final VersionVector FIRST = VersionVector.of(Map.of("a", 3L, "b", 1L));
  private static final VersionVector SECOND = VersionVector.of(Map.of("a", 5L, "b", 1L));

  @Test
  void aNewStoreHasNoCheckpoint() {
    try (CheckpointStore store = CheckpointStore.open(file())) {
      assertThat(store.lastCheckpoint()).isEmpty();
      assertThat(store.stateCount()).isZero();
      assertThat(store.state(bytes("k"))).isEmpty();
    }
  }

  @Test
  void checkpointsAreReadBackAfterReopen() {
    try (CheckpointStore store = CheckpointStore.open(file())) {
      CheckpointMetadata first =
          store.commit(
              FIRST, 10, Map.of(bytes("k1"), bytes("s1"), bytes("k2"), bytes("s2")), Set.of());
      assertThat(first).isEqualTo(new CheckpointMetadata(FIRST, 10, 1));
      store.commit(SECOND, 17, Map.of(bytes("k1"), bytes("s1'")), Set.of(bytes("k2")));
    }
    try (CheckpointStore store = CheckpointStore.open(file())) {
      assertThat(store.lastCheckpoint()).contains(new CheckpointMetadata(SECOND, 17, 2));
      assertThat(store.state(bytes("k1"))).contains(bytes("s1'"));
      assertThat(store.state(bytes("k2"))).isEmpty();
      assertThat(store.stateCount()).isEqualTo(1);
    }
  }

  @Test
  void statesIterateInKeyOrder() {
    Map<ByteString, ByteString> states = new LinkedHashMap<>();
    for (String key : List.of("m", "b", "z", "a")) {
      states.put(bytes(key), bytes(key.toUpperCase(java.util.Locale.ROOT)));
    }
    try (CheckpointStore store = CheckpointStore.open(file())) {
      store.commit(FIRST, 1, states, Set.of());
      List<String> keys = new ArrayList<>();
      store.forEachState((key, state) -> keys.add(key.toStringUtf8()));
      assertThat(keys).containsExactly("a", "b", "m", "z");
    }
  }

  @Test
  void aCheckpointGoingBackwardsIsRefusedAndChangesNothing() {
    try (CheckpointStore store = CheckpointStore.open(file())) {
      store.commit(SECOND, 17, Map.of(bytes("k"), bytes("v")), Set.of());
      assertThatThrownBy(
              () -> store.commit(SECOND, 16, Map.of(bytes("k"), bytes("older")), Set.of()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () -> store.commit(FIRST, 20, Map.of(bytes("k"), bytes("older")), Set.of()))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(
              () -> store.commit(SECOND, 20, Map.of(bytes("k"), bytes("both")), Set.of(bytes("k"))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(store.state(bytes("k"))).contains(bytes("v"));
      assertThat(store.lastCheckpoint()).contains(new CheckpointMetadata(SECOND, 17, 1));
    }
  }

  @Test
  void aFailureInsideACheckpointRollsItBack() {
    try (CheckpointStore store = CheckpointStore.open(file())) {
      store.commit(FIRST, 1, Map.of(bytes("k"), bytes("v1")), Set.of());
      assertThatThrownBy(
              () ->
                  store.commit(
                      SECOND,
                      2,
                      Map.of(bytes("k"), bytes("v2"), bytes("other"), bytes("x")),
                      Set.of(),
                      () -> {
                        throw new IllegalStateException("disk gone");
                      }))
          .isInstanceOfSatisfying(
              StorageException.class,
              e -> assertThat(e.reason()).isEqualTo(StorageException.Reason.IO_FAILURE));
      assertThat(store.state(bytes("k"))).contains(bytes("v1"));
      assertThat(store.state(bytes("other"))).isEmpty();
      assertThat(store.lastCheckpoint()).contains(new CheckpointMetadata(FIRST, 1, 1));
    }
  }

  @Test
  void aProcessDyingInsideACheckpointLeavesThePreviousOneWhole() throws Exception {
    Process child = ChildProcess.start("crash-mid-checkpoint", file().toString());
    assertThat(ChildProcess.firstLine(child)).isEqualTo("crashing");
    assertThat(ChildProcess.awaitExit(child)).isEqualTo(3);
    try (CheckpointStore store = CheckpointStore.open(file())) {
      assertThat(store.lastCheckpoint())
          .contains(new CheckpointMetadata(VersionVector.of("r1", 1), 1, 1));
      assertThat(store.state(bytes("a"))).contains(bytes("1"));
      assertThat(store.stateCount()).isEqualTo(1);
    }
  }
}
