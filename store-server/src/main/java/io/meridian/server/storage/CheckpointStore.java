package io.meridian.server.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.VersionVector;
import io.meridian.server.proto.CheckpointMetadataProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * Key states as of the last checkpoint, in a MapDB 3 file store with transactions over a
 * memory-mapped file (a commit of 100,000 changed keys costs about a third of the CPU it did over a
 * {@code FileChannel}, whose write-ahead log reads and writes records in small pieces). A
 * checkpoint writes the states that changed since the previous one and the {@link
 * CheckpointMetadata} in one MapDB commit, so after a crash the store holds either the whole
 * checkpoint or none of it, and the metadata always describes the states beside it.
 *
 * <p>Why checkpoints rather than a commit per update: a MapDB commit costs an fsync of its write
 * ahead log, so durability per update comes from the {@link UpdateLog}'s group commit and MapDB
 * carries the state (DESIGN "Storage"). Keys and states are opaque bytes here; the key encoding
 * (bucket and key) and the state encoding (the CRDT codec) belong to the caller.
 *
 * <p>Reads may run on any thread; commits are serialized.
 */
public final class CheckpointStore implements AutoCloseable {
  private static final int METADATA_FORMAT_VERSION = 1;
  private static final String METADATA_KEY = "checkpoint";

  private final DB database;
  private final BTreeMap<byte[], byte[]> states;
  private final BTreeMap<String, byte[]> metadataMap;
  private volatile CheckpointMetadata last;

  private CheckpointStore(DB database) {
    this.database = database;
    this.states =
        database
            .treeMap("states", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
            .counterEnable()
            .createOrOpen();
    this.metadataMap =
        database.treeMap("metadata", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
    database.commit();
    byte[] stored = metadataMap.get(METADATA_KEY);
    this.last = stored == null ? null : decodeMetadata(stored);
  }

  /**
   * Opens or creates the store in {@code file}.
   *
   * @throws StorageException with {@link StorageException.Reason#CORRUPT} when the stored metadata
   *     cannot be decoded, {@link StorageException.Reason#IO_FAILURE} when MapDB cannot open the
   *     file (another open of it included)
   */
  public static CheckpointStore open(Path file) {
    Objects.requireNonNull(file, "file");
    DB database;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      database =
          DBMaker.fileDB(file.toFile())
              .transactionEnable()
              .fileMmapEnableIfSupported()
              .fileMmapPreclearDisable()
              .cleanerHackEnable()
              .make();
    } catch (Exception e) {
      throw new StorageException(
          StorageException.Reason.IO_FAILURE, "cannot open checkpoint store " + file + ": " + e, e);
    }
    try {
      return new CheckpointStore(database);
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  /** The metadata of the last committed checkpoint, empty before the first. */
  public Optional<CheckpointMetadata> lastCheckpoint() {
    return Optional.ofNullable(last);
  }

  /** The state of {@code key} as of the last checkpoint. */
  public Optional<ByteString> state(ByteString key) {
    byte[] value = states.get(key.toByteArray());
    return value == null ? Optional.empty() : Optional.of(ByteString.copyFrom(value));
  }

  /**
   * The state of {@code key} as of the last checkpoint (or of a commit in progress), without a copy
   * of the stored bytes.
   */
  public Optional<ByteString> stateBytes(ByteString key) {
    byte[] value = states.get(key.toByteArray());
    return value == null ? Optional.empty() : Optional.of(UnsafeByteOperations.unsafeWrap(value));
  }

  /**
   * Calls {@code consumer} with the keys from {@code fromInclusive} to {@code toExclusive} and
   * their states, in unsigned byte order of the keys, until it answers false.
   */
  public void forEachState(
      ByteString fromInclusive,
      ByteString toExclusive,
      BiPredicate<ByteString, ByteString> consumer) {
    for (Map.Entry<byte[], byte[]> entry :
        states
            .subMap(fromInclusive.toByteArray(), true, toExclusive.toByteArray(), false)
            .entrySet()) {
      if (!consumer.test(
          UnsafeByteOperations.unsafeWrap(entry.getKey()),
          UnsafeByteOperations.unsafeWrap(entry.getValue()))) {
        return;
      }
    }
  }

  /** Calls {@code consumer} with every key and its state, in unsigned byte order of the keys. */
  public void forEachState(BiConsumer<ByteString, ByteString> consumer) {
    for (Map.Entry<byte[], byte[]> entry : states.entrySet()) {
      consumer.accept(ByteString.copyFrom(entry.getKey()), ByteString.copyFrom(entry.getValue()));
    }
  }

  /** Number of keys with a state. */
  public long stateCount() {
    return states.sizeLong();
  }

  /**
   * Commits a checkpoint: {@code changedStates} are written, {@code removedKeys} deleted, and the
   * metadata recorded, all in one MapDB commit. Arguments are checked before anything is written.
   *
   * @param appliedVector the applied vector the states reflect; must dominate the previous one
   * @param logIndex the last log index whose effect is in the states; must not go down
   * @return the metadata of the new checkpoint
   * @throws IllegalArgumentException when the vector or index goes backwards, or a key is empty or
   *     both changed and removed
   * @throws StorageException with {@link StorageException.Reason#IO_FAILURE} when MapDB fails (the
   *     previous checkpoint then stays in place)
   */
  public CheckpointMetadata commit(
      VersionVector appliedVector,
      long logIndex,
      Map<ByteString, ByteString> changedStates,
      Set<ByteString> removedKeys) {
    return commit(appliedVector, logIndex, changedStates, removedKeys, () -> {});
  }

  /** {@link #commit} with a hook run just before MapDB's commit (crash tests). */
  synchronized CheckpointMetadata commit(
      VersionVector appliedVector,
      long logIndex,
      Map<ByteString, ByteString> changedStates,
      Set<ByteString> removedKeys,
      Runnable beforeDurable) {
    CheckpointMetadata previous = last;
    checkArguments(previous, appliedVector, logIndex, changedStates, removedKeys);
    CheckpointMetadata next =
        new CheckpointMetadata(
            appliedVector, logIndex, previous == null ? 1 : previous.sequence() + 1);
    try {
      for (byte[][] entry : sorted(changedStates)) {
        states.put(entry[0], entry[1]);
      }
      List<byte[]> removed = new ArrayList<>(removedKeys.size());
      removedKeys.forEach(key -> removed.add(key.toByteArray()));
      removed.sort(Arrays::compareUnsigned);
      removed.forEach(states::remove);
      metadataMap.put(METADATA_KEY, encodeMetadata(next));
      beforeDurable.run();
      database.commit();
    } catch (RuntimeException e) {
      rollbackQuietly();
      throw new StorageException(
          StorageException.Reason.IO_FAILURE, "checkpoint " + next.sequence() + " failed: " + e, e);
    }
    last = next;
    return next;
  }

  /**
   * The entries as byte arrays in unsigned byte order of their keys: the B-tree's nodes are then
   * visited in order, each once per run of neighbouring keys, instead of at random.
   */
  private static List<byte[][]> sorted(Map<ByteString, ByteString> entries) {
    List<byte[][]> sorted = new ArrayList<>(entries.size());
    for (Map.Entry<ByteString, ByteString> entry : entries.entrySet()) {
      sorted.add(new byte[][] {entry.getKey().toByteArray(), entry.getValue().toByteArray()});
    }
    sorted.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
    return sorted;
  }

  private static void checkArguments(
      CheckpointMetadata previous,
      VersionVector appliedVector,
      long logIndex,
      Map<ByteString, ByteString> changedStates,
      Set<ByteString> removedKeys) {
    Objects.requireNonNull(appliedVector, "appliedVector");
    Objects.requireNonNull(changedStates, "changedStates");
    Objects.requireNonNull(removedKeys, "removedKeys");
    if (previous != null) {
      if (logIndex < previous.logIndex()) {
        throw new IllegalArgumentException(
            "checkpoint log index " + logIndex + " is below the previous " + previous.logIndex());
      }
      if (!appliedVector.dominates(previous.appliedVector())) {
        throw new IllegalArgumentException(
            "checkpoint vector " + appliedVector + " does not cover " + previous.appliedVector());
      }
    }
    for (Map.Entry<ByteString, ByteString> entry : changedStates.entrySet()) {
      if (entry.getKey().isEmpty()) {
        throw new IllegalArgumentException("empty key in a checkpoint");
      }
      if (removedKeys.contains(entry.getKey())) {
        throw new IllegalArgumentException("a key is both changed and removed in a checkpoint");
      }
      Objects.requireNonNull(entry.getValue(), "state");
    }
  }

  private void rollbackQuietly() {
    try {
      database.rollback();
    } catch (RuntimeException ignored) {
      // The store is failing already; the original error is the one to report.
    }
  }

  private static byte[] encodeMetadata(CheckpointMetadata metadata) {
    return CheckpointMetadataProto.newBuilder()
        .setFormatVersion(METADATA_FORMAT_VERSION)
        .setAppliedVector(ByteString.copyFrom(ClocksCodec.encode(metadata.appliedVector())))
        .setLogIndex(metadata.logIndex())
        .setCheckpointSequence(metadata.sequence())
        .build()
        .toByteArray();
  }

  private static CheckpointMetadata decodeMetadata(byte[] bytes) {
    try {
      CheckpointMetadataProto proto = CheckpointMetadataProto.parseFrom(bytes);
      if (proto.getFormatVersion() != METADATA_FORMAT_VERSION) {
        throw new StorageException(
            StorageException.Reason.CORRUPT,
            "unknown checkpoint metadata format version " + proto.getFormatVersion());
      }
      VersionVector applied =
          ClocksCodec.decodeVersionVector(proto.getAppliedVector().toByteArray());
      return new CheckpointMetadata(applied, proto.getLogIndex(), proto.getCheckpointSequence());
    } catch (InvalidProtocolBufferException | DecodeException | IllegalArgumentException e) {
      throw new StorageException(
          StorageException.Reason.CORRUPT, "checkpoint metadata cannot be decoded: " + e, e);
    }
  }

  @Override
  public void close() {
    database.close();
  }
}
