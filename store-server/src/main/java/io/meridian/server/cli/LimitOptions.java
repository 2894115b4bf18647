package io.meridian.server.cli;

import io.meridian.server.http.HttpApiConfig;
import io.meridian.server.http.WatchLimits;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The bounds of a region's HTTP API, its change streams and its operation-id memory, as options
 * shared by {@code meridian server} and {@code meridian local} (each also from {@code --config}).
 * Each option is the kebab-case name of its {@link HttpApiConfig} field.
 */
final class LimitOptions {
  @Option(
      names = "--body-bytes-max",
      defaultValue = "1048576",
      description = "Largest request body, in bytes (default 1 MiB); larger is too_large (413).")
  long bodyBytesMax;

  @Option(
      names = "--in-flight-requests-max",
      defaultValue = "10000",
      description = "Requests served at once (default 10,000); past it overloaded (503).")
  int inFlightRequestsMax;

  @Option(
      names = "--name-bytes-max",
      defaultValue = "256",
      description = "Longest bucket or key name in UTF-8 bytes (1 to 256, default 256).")
  int nameBytesMax;

  @Option(
      names = "--items-per-request-max",
      defaultValue = "1000",
      description = "Most updates in a batch or keys in a read (1 to 1,000, default 1,000).")
  int itemsPerRequestMax;

  @Option(
      names = "--elements-per-update-max",
      defaultValue = "10000",
      description =
          "Most elements in one update: set elements, list values, map entries and fields, nested"
              + " maps included (default 10,000); more is too_large (413).")
  int elementsPerUpdateMax;

  @Option(
      names = "--nesting-depth-max",
      defaultValue = "16",
      description = "Most levels of nested updates, the top one included (1 to 64, default 16).")
  int nestingDepthMax;

  @Option(
      names = "--session-token-characters-max",
      defaultValue = "4096",
      description = "Longest Meridian-Session token accepted (at least 256, default 4,096).")
  int sessionTokenCharactersMax;

  @Option(
      names = "--operation-id-retention-hours",
      defaultValue = "24",
      description = "How long an applied operation id is refused again (1 to 8,760 h, default 24).")
  long operationIdRetentionHours;

  @Option(
      names = "--watch-streams-max",
      defaultValue = "1000",
      description = "Change streams open at once (default 1,000); past it overloaded (503).")
  int watchStreamsMax;

  @Option(
      names = "--watch-keys-per-stream-max",
      defaultValue = "1000",
      description = "Most keys one change stream watches (default 1,000); more is bad_request.")
  int watchKeysPerStreamMax;

  @Option(
      names = "--watch-groups-queued-max",
      defaultValue = "1000",
      description =
          "Groups of changes queued for one stream and not yet written (default 1,000); past it"
              + " the stream gets overflow and is closed.")
  int watchGroupsQueuedMax;

  @Option(
      names = "--watch-write-queue-bytes-max",
      defaultValue = "1048576",
      description =
          "Bytes written to one stream's connection and not yet sent (default 1 MiB); past it the"
              + " stream gets overflow and is closed.")
  int watchWriteQueueBytesMax;

  @Option(
      names = "--watch-heartbeat-millis",
      defaultValue = "10000",
      description =
          "How often an open change stream gets a keep-alive comment (default 10,000 ms).")
  long watchHeartbeatMillis;

  /** The change streams' bounds, or a usage error naming the option that is out of range. */
  WatchLimits watchLimits(CommandLine.Model.CommandSpec spec) {
    String[] names = {
      "--watch-streams-max",
      "--watch-keys-per-stream-max",
      "--watch-groups-queued-max",
      "--watch-write-queue-bytes-max",
      "--watch-heartbeat-millis"
    };
    long[] values = {
      watchStreamsMax,
      watchKeysPerStreamMax,
      watchGroupsQueuedMax,
      watchWriteQueueBytesMax,
      watchHeartbeatMillis
    };
    for (int i = 0; i < names.length; i++) {
      if (values[i] < 1) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), names[i] + " must be positive, not " + values[i]);
      }
    }
    return new WatchLimits(
        watchStreamsMax,
        watchKeysPerStreamMax,
        watchGroupsQueuedMax,
        watchWriteQueueBytesMax,
        watchHeartbeatMillis);
  }

  @Option(
      names = "--state-cache-mib",
      defaultValue = "64",
      description =
          "Cache of decoded key states, in MiB of heap (estimated from the encoded size); keys"
              + " unchanged since the"
              + " last checkpoint are read from it or from disk (0 to 65,536, default 64).")
  long stateCacheMib;

  /** The state cache budget in bytes, or a usage error. */
  long stateCacheBytes(CommandLine.Model.CommandSpec spec) {
    if (stateCacheMib < 0 || stateCacheMib > 65_536) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--state-cache-mib must be 0 to 65536, not " + stateCacheMib);
    }
    return stateCacheMib << 20;
  }

  /** The HTTP bounds, or a usage error naming the option that is out of range. */
  HttpApiConfig httpApi(CommandLine.Model.CommandSpec spec) {
    try {
      return new HttpApiConfig(
          bodyBytesMax,
          inFlightRequestsMax,
          nameBytesMax,
          itemsPerRequestMax,
          elementsPerUpdateMax,
          nestingDepthMax,
          sessionTokenCharactersMax);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--" + kebab(e.getMessage()));
    }
  }

  /** The operation-id retention in milliseconds, or a usage error. */
  long operationIdRetentionMillis(CommandLine.Model.CommandSpec spec) {
    if (operationIdRetentionHours < 1 || operationIdRetentionHours > 8_760) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--operation-id-retention-hours must be 1 to 8760, not " + operationIdRetentionHours);
    }
    return TimeUnit.HOURS.toMillis(operationIdRetentionHours);
  }

  @Option(
      names = "--context-expiry-millis",
      defaultValue = "600000",
      description =
          "T: an or-map field remove whose context missed an update of the field made more than T"
              + " before it is context_expired (409); counters in map fields sum increments older"
              + " than T. The same at every region, never lowered (1 to 31,622,400,000 ms, default"
              + " 600,000).")
  long contextExpiryMillis;

  /**
   * Sets the process's context expiry (the CRDT module's, one for all regions of the process), or a
   * usage error.
   */
  void configureContextExpiry(CommandLine.Model.CommandSpec spec) {
    try {
      io.meridian.crdt.CrdtRegistry.configureContextExpiryMillis(contextExpiryMillis);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--context-expiry-millis: " + e.getMessage());
    }
  }

  /** "nameBytesMax must be ..." becomes "name-bytes-max must be ...". */
  static String kebab(String message) {
    int space = message.indexOf(' ');
    String field = space < 0 ? message : message.substring(0, space);
    return field.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT)
        + (space < 0 ? "" : message.substring(space));
  }
}
