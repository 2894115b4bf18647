package io.meridian.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
  @TempDir Path root;

  @Test
  void createsTheLayout() {
    try (DataDirectory directory = DataDirectory.open(root.resolve("region"))) {
      assertThat(directory.logDirectory()).isDirectory();
      assertThat(directory.checkpointFile().getParent()).isDirectory();
      assertThat(directory.root().resolve("LOCK")).isRegularFile();
    }
  }

  @Test
  void aSecondOpenInTheSameProcessFailsUntilTheFirstCloses() {
    DataDirectory first = DataDirectory.open(root);
    assertThatThrownBy(() -> DataDirectory.open(root))
        .isInstanceOfSatisfying(
            StorageException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(StorageException.Reason.LOCKED);
              assertThat(e.getMessage()).contains("already open in this process");
            });
    first.close();
    DataDirectory.open(root).close();
  }

  @Test
  void anotherProcessHoldingTheDirectoryLocksUsOut() throws Exception {
    Process holder = ChildProcess.start("hold-lock", root.toString());
    try {
      assertThat(ChildProcess.firstLine(holder)).startsWith("locked ");
      assertThatThrownBy(() -> DataDirectory.open(root))
          .isInstanceOfSatisfying(
              StorageException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(StorageException.Reason.LOCKED);
                assertThat(e.getMessage())
                    .contains("locked by another process")
                    .contains("pid " + holder.pid());
              });
    } finally {
      holder.getOutputStream().close();
      assertThat(ChildProcess.awaitExit(holder)).isZero();
    }
    try (DataDirectory directory = DataDirectory.open(root)) {
      assertThat(Files.readString(directory.root().resolve("LOCK")))
          .contains("pid " + ProcessHandle.current().pid());
    }
  }
}
