package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline replica's bases: which answers of a region may become a key's base, and when. */
class SqliteQueueTest {
  @TempDir Path directory;

  /**
   * Found by {@code SessionPropertyTest} (offline, seed 1212908225825252044): a read sent while an
   * update was queued comes back without it; if the update is acknowledged meanwhile, the read's
   * object must not become the base, or the replica loses the acknowledged update (read 5 after
   * writes of 5 and 3).
   */
  @Test
  void aReadAnsweredBeforeAnAcknowledgementDoesNotBecomeTheBase() {
    try (SqliteQueue queue = SqliteQueue.open(directory, 100, 1_000_000)) {
      UpdateQueue.Entry first = queue.append(List.of(increment(5)));
      queue.acknowledge(first, List.of(counter(5)), null);
      UpdateQueue.Entry second = queue.append(List.of(increment(3)));
      long readStarted = queue.changes();
      queue.acknowledge(second, List.of(counter(8)), null);
      queue.observed(counter(5), readStarted);
      assertThat(queue.local("b", "k").value().asLong()).isEqualTo(8);

      long later = queue.changes();
      queue.observed(counter(9), later);
      assertThat(queue.local("b", "k").value().asLong())
          .as("a read started with nothing changing meanwhile is the new base")
          .isEqualTo(9);
    }
  }

  /**
   * Found by {@code QueueRecordFuzzTest}: a queued entry whose record lacks an update's body was
   * read as an update with a null body. A damaged record is now the queue's own failure.
   */
  @Test
  void aDamagedQueueRecordIsALocalStoreFailure() throws Exception {
    try (SqliteQueue queue = SqliteQueue.open(directory, 100, 1_000_000)) {
      queue.append(List.of(increment(5)));
    }
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + directory.resolve("meridian.db"));
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE queue SET updates = '[{\"bucket\":\"b\",\"key\":\"k\"}]'");
    }
    try (SqliteQueue queue = SqliteQueue.open(directory, 100, 1_000_000)) {
      assertThatThrownBy(queue::head).isInstanceOf(MeridianException.LocalStoreFailure.class);
    }
  }

  private static UpdateQueue.Queued increment(long by) {
    ObjectNode body =
        JsonNodeFactory.instance
            .objectNode()
            .put("type", "pn-counter")
            .put("op", "increment")
            .put("by", by);
    return new UpdateQueue.Queued("b", "k", body, false);
  }

  private static JsonNode counter(long value) {
    return JsonNodeFactory.instance
        .objectNode()
        .put("bucket", "b")
        .put("key", "k")
        .put("type", "pn-counter")
        .put("value", value);
  }
}
