package io.meridian.benchmarks.load;

import io.meridian.server.HostPort;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.meridian.server.transport.NativeTransport;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Regions started in this process on 127.0.0.1 (port 0), a full mesh with mutual TLS (or without,
 * when insecure), data in a temporary directory that {@link #close} deletes.
 */
public final class InProcessRegions implements AutoCloseable {
  private final Vertx vertx;
  private final List<Region> regions;
  private final Path data;

  private InProcessRegions(Vertx vertx, List<Region> regions, Path data) {
    this.vertx = vertx;
    this.regions = regions;
    this.data = data;
  }

  /**
   * @param parent where the temporary data directory is made: the default temporary directory when
   *     null; a memory file system shows what the server costs without the disk's fsync
   * @param count how many regions, named r1, r2, ...
   * @param insecure replication without TLS
   * @return the started regions
   * @throws Exception when a region does not start
   */
  public static InProcessRegions start(int count, boolean insecure, Path parent) throws Exception {
    Path data =
        parent == null
            ? Files.createTempDirectory("meridian-load")
            : Files.createTempDirectory(parent, "meridian-load");
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      names.add("r" + i);
    }
    if (!insecure) {
      DevelopmentCertificates.generate(data.resolve("tls"), names);
    }
    List<RegionConfig> configs =
        RegionConfig.localMesh(names, data, 0, region -> region.insecure(insecure));
    Vertx vertx = NativeTransport.vertx();
    try {
      return new InProcessRegions(vertx, Region.startAll(vertx, configs), data);
    } catch (Exception e) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
      throw e;
    }
  }

  /** The HTTP base address of each region, in order r1, r2, ... */
  public List<HostPort> httpAddresses() {
    List<HostPort> addresses = new ArrayList<>();
    regions.forEach(region -> addresses.add(new HostPort("127.0.0.1", region.httpPort())));
    return addresses;
  }

  @Override
  public void close() throws IOException {
    regions.forEach(Region::close);
    vertx.close().toCompletionStage().toCompletableFuture().join();
    deleteTree(data);
  }

  /** Deletes {@code directory} and everything under it. */
  static void deleteTree(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
