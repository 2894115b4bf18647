package io.meridian.clocks;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.clocks.proto.CausalContextProto;
import io.meridian.clocks.proto.DotProto;
import io.meridian.clocks.proto.HlcTimestampProto;
import io.meridian.clocks.proto.VersionVectorProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Protobuf encodings of the clocks, deterministic (equal values give equal bytes). The {@code
 * encode}/{@code decode} pairs work on standalone byte arrays that carry {@link #FORMAT_VERSION};
 * the {@code toProto}/{@code fromProto} pairs are for nesting inside other messages, whose outer
 * message carries the version.
 *
 * <p>Every decoder throws only {@link DecodeException} for bad input: malformed protobuf, an
 * unknown format version, an invalid replica name, a zero or unsorted entry, a duplicate.
 */
public final class ClocksCodec {
  /** The format version written by this code. */
  public static final int FORMAT_VERSION = 1;

  private ClocksCodec() {}

  // ---- version vectors

  public static VersionVectorProto toProto(VersionVector vector) {
    VersionVectorProto.Builder builder = VersionVectorProto.newBuilder();
    int size = vector.size();
    for (int i = 0; i < size; i++) {
      builder.addReplicas(vector.replicaAt(i));
      builder.addCounters(vector.counterAt(i));
    }
    return builder.build();
  }

  public static VersionVector fromProto(VersionVectorProto proto) {
    int count = proto.getReplicasCount();
    if (proto.getCountersCount() != count) {
      throw new DecodeException(
          "version vector has "
              + count
              + " replicas but "
              + proto.getCountersCount()
              + " counters");
    }
    if (count == 0) {
      return VersionVector.empty();
    }
    String[] replicas = new String[count];
    long[] counters = new long[count];
    String previous = null;
    for (int i = 0; i < count; i++) {
      String replica = requireReplica(proto.getReplicas(i));
      long counter = proto.getCounters(i);
      if (previous != null && previous.compareTo(replica) >= 0) {
        throw new DecodeException("version vector replicas not strictly ascending at " + replica);
      }
      if (counter <= 0) {
        throw new DecodeException("version vector counter must be positive for " + replica);
      }
      replicas[i] = replica;
      counters[i] = counter;
      previous = replica;
    }
    return VersionVector.ofSorted(replicas, counters);
  }

  public static byte[] encode(VersionVector vector) {
    return toProto(vector).toBuilder().setFormatVersion(FORMAT_VERSION).build().toByteArray();
  }

  public static VersionVector decodeVersionVector(byte[] bytes) {
    VersionVectorProto proto;
    try {
      proto = VersionVectorProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new DecodeException("malformed version vector", e);
    }
    requireVersion(proto.getFormatVersion(), "version vector");
    return fromProto(proto);
  }

  // ---- dots

  public static DotProto toProto(Dot dot) {
    return DotProto.newBuilder().setReplica(dot.replica()).setCounter(dot.counter()).build();
  }

  public static Dot fromProto(DotProto proto) {
    String replica = requireReplica(proto.getReplica());
    if (proto.getCounter() <= 0) {
      throw new DecodeException("dot counter must be positive for " + replica);
    }
    return new Dot(replica, proto.getCounter());
  }

  public static byte[] encode(Dot dot) {
    return toProto(dot).toBuilder().setFormatVersion(FORMAT_VERSION).build().toByteArray();
  }

  public static Dot decodeDot(byte[] bytes) {
    DotProto proto;
    try {
      proto = DotProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new DecodeException("malformed dot", e);
    }
    requireVersion(proto.getFormatVersion(), "dot");
    return fromProto(proto);
  }

  // ---- causal contexts

  public static CausalContextProto toProto(CausalContext context) {
    CausalContextProto.Builder builder =
        CausalContextProto.newBuilder().setCompact(toProto(context.compactVector()));
    for (Dot dot : context.cloud()) {
      builder.addCloud(toProto(dot));
    }
    return builder.build();
  }

  /**
   * Decodes a causal context. Only the canonical form of the value is accepted (cloud sorted, no
   * duplicates, no dot covered by or contiguous with the vector), so each set of dots has exactly
   * one accepted value form. Re-encoding a decoded context gives its canonical bytes, which differ
   * from the input only when the input carried protobuf-level variations (unknown fields, a nested
   * format version, unpacked counters) that protobuf parsers accept by design.
   */
  public static CausalContext fromProto(CausalContextProto proto) {
    VersionVector compact = fromProto(proto.getCompact());
    List<Dot> cloud = new ArrayList<>(proto.getCloudCount());
    Dot previous = null;
    for (DotProto dotProto : proto.getCloudList()) {
      Dot dot = fromProto(dotProto);
      if (previous != null && previous.compareTo(dot) >= 0) {
        throw new DecodeException("causal context cloud not strictly ascending at " + dot);
      }
      cloud.add(dot);
      previous = dot;
    }
    CausalContext context = CausalContext.ofSorted(compact, cloud);
    if (!context.compactVector().equals(compact) || context.cloud().size() != cloud.size()) {
      throw new DecodeException("causal context is not in canonical (compacted) form");
    }
    return context;
  }

  public static byte[] encode(CausalContext context) {
    return toProto(context).toBuilder().setFormatVersion(FORMAT_VERSION).build().toByteArray();
  }

  public static CausalContext decodeCausalContext(byte[] bytes) {
    CausalContextProto proto;
    try {
      proto = CausalContextProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new DecodeException("malformed causal context", e);
    }
    requireVersion(proto.getFormatVersion(), "causal context");
    return fromProto(proto);
  }

  // ---- HLC timestamps

  public static byte[] encodeHlc(long timestamp) {
    if (!HlcTimestamp.isValid(timestamp)) {
      throw new IllegalArgumentException("invalid HLC timestamp: " + timestamp);
    }
    return HlcTimestampProto.newBuilder()
        .setFormatVersion(FORMAT_VERSION)
        .setTimestamp(timestamp)
        .build()
        .toByteArray();
  }

  public static long decodeHlc(byte[] bytes) {
    HlcTimestampProto proto;
    try {
      proto = HlcTimestampProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new DecodeException("malformed HLC timestamp", e);
    }
    requireVersion(proto.getFormatVersion(), "HLC timestamp");
    return requireHlc(proto.getTimestamp());
  }

  /** Returns {@code timestamp} or throws {@link DecodeException} when it is not a valid HLC. */
  public static long requireHlc(long timestamp) {
    if (!HlcTimestamp.isValid(timestamp)) {
      throw new DecodeException("invalid HLC timestamp: " + timestamp);
    }
    return timestamp;
  }

  // ---- shared checks

  /** Returns {@code name} or throws {@link DecodeException} when it is not a valid replica name. */
  public static String requireReplica(String name) {
    if (!ReplicaIds.isValid(name)) {
      throw new DecodeException("invalid replica name: " + abbreviate(name));
    }
    return name;
  }

  /** Throws {@link DecodeException} unless {@code version} is one this code reads. */
  public static void requireVersion(int version, String what) {
    if (version != FORMAT_VERSION) {
      throw new DecodeException("unknown " + what + " format version " + version);
    }
  }

  private static String abbreviate(String text) {
    if (text == null) {
      return "null";
    }
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }
}
