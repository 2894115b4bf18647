package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

/**
 * Coverage-guided fuzz target (Jazzer) of the offline queue's record decoder ({@link
 * SqliteQueue#decode}, the {@code updates} column of a queued or refused entry: a file on the
 * client's disk that anything may have damaged). Without {@code JAZZER_FUZZ} it replays its corpus
 * under {@code src/test/resources/.../QueueRecordFuzzTestInputs/queueRecords}; see
 * docs/notes/2026-12-fuzzing.md.
 *
 * <p>The property: a record decodes or is refused with {@link SQLException} (which the queue
 * reports as {@link MeridianException.LocalStoreFailure}); a decoded record holds updates the SDK
 * can send (an object body) and encodes to text that decodes to the same updates.
 */
class QueueRecordFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void queueRecords(byte[] bytes) throws SQLException {
    List<UpdateQueue.Queued> updates;
    try {
      updates = SqliteQueue.decode(new String(bytes, StandardCharsets.UTF_8));
    } catch (SQLException e) {
      return;
    }
    for (UpdateQueue.Queued update : updates) {
      assertThat(update.body()).isNotNull();
      assertThat(update.bucket()).isNotNull();
      assertThat(update.key()).isNotNull();
    }
    assertThat(SqliteQueue.decode(SqliteQueue.encode(updates))).isEqualTo(updates);
  }

  /** Writes the seed corpus (records the queue writes) under {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path dir = Files.createDirectories(Path.of(args[0]).resolve("queueRecords"));
    ObjectNode increment =
        JsonNodeFactory.instance
            .objectNode()
            .put("type", "pn-counter")
            .put("op", "increment")
            .put("by", 2);
    ObjectNode add = JsonNodeFactory.instance.objectNode().put("type", "aw-set").put("op", "add");
    add.putArray("elements").add("x").add(1.5);
    Files.writeString(
        dir.resolve("seed-one"),
        SqliteQueue.encode(List.of(new UpdateQueue.Queued("b", "k", increment, false))));
    Files.writeString(
        dir.resolve("seed-batch"),
        SqliteQueue.encode(
            List.of(
                new UpdateQueue.Queued("b", "k", increment, true),
                new UpdateQueue.Queued("orders", "o-\u00e9", add, false))));
  }
}
