package io.meridian.server.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * A region's data directory, held exclusively while the region runs. The layout is:
 *
 * <pre>
 *   LOCK          the lock file (holds the owner's process id, for the error message)
 *   log/          the update log's segments
 *   checkpoint/   the MapDB checkpoint store
 * </pre>
 *
 * <p>Two processes writing one log would interleave records and break durability, so {@link #open}
 * takes an exclusive {@link FileLock} on {@code LOCK} and fails with {@link
 * StorageException.Reason#LOCKED} when another process, or another open in this process, holds it.
 * The operating system releases the lock when the process dies, so a crash never leaves the
 * directory locked.
 */
public final class DataDirectory implements AutoCloseable {
  private static final String LOCK_FILE = "LOCK";

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates the layout under {@code root} where missing and locks it.
   *
   * @throws StorageException with {@link StorageException.Reason#LOCKED} when the directory is
   *     held, or {@link StorageException.Reason#IO_FAILURE} when it cannot be created
   */
  public static DataDirectory open(Path root) {
    Objects.requireNonNull(root, "root");
    Path absolute = root.toAbsolutePath().normalize();
    FileChannel channel = null;
    try {
      Files.createDirectories(absolute);
      channel =
          FileChannel.open(
              absolute.resolve(LOCK_FILE),
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      FileLock lock = tryLock(channel, absolute);
      recordOwner(channel);
      Files.createDirectories(absolute.resolve("log"));
      Files.createDirectories(absolute.resolve("checkpoint"));
      return new DataDirectory(absolute, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StorageException(
          StorageException.Reason.IO_FAILURE,
          "cannot open data directory " + absolute + ": " + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static FileLock tryLock(FileChannel channel, Path root) throws IOException {
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      throw new StorageException(
          StorageException.Reason.LOCKED,
          "data directory " + root + " is already open in this process",
          e);
    }
    if (lock == null) {
      throw new StorageException(
          StorageException.Reason.LOCKED,
          "data directory " + root + " is locked by another process" + describeOwner(channel));
    }
    return lock;
  }

  private static void recordOwner(FileChannel channel) throws IOException {
    byte[] owner =
        ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(owner), 0);
    channel.force(true);
  }

  private static String describeOwner(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(64);
      int read = channel.read(buffer, 0);
      if (read <= 0) {
        return "";
      }
      return " (" + new String(buffer.array(), 0, read, StandardCharsets.US_ASCII).strip() + ")";
    } catch (IOException e) {
      return "";
    }
  }

  /** The directory itself, absolute. */
  public Path root() {
    return root;
  }

  /** Where the {@link UpdateLog} keeps its segments. */
  public Path logDirectory() {
    return root.resolve("log");
  }

  /** The {@link CheckpointStore}'s MapDB file. */
  public Path checkpointFile() {
    return root.resolve("checkpoint").resolve("state.db");
  }

  /** Releases the lock. Close the log and the checkpoint store first. */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException ignored) {
      // Closing the channel below releases the lock as well.
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing was written through it that matters after the lock.
    }
  }
}
