package io.meridian.server.cli;

import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.transport.NativeTransport;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts regions in this process, prints each one's startup line, and keeps running until the JVM
 * is asked to stop (SIGTERM or SIGINT), when a shutdown hook closes the regions and Vert.x.
 */
final class RegionRunner {
  private static final long VERTX_CLOSE_SECONDS_MAX = 30;

  private RegionRunner() {}

  static int run(List<RegionConfig> configs, PrintWriter out) throws Exception {
    return run(configs, out, List.of());
  }

  /** As {@link #run(List, PrintWriter)}, printing {@code extraLines} after the startup lines. */
  static int run(List<RegionConfig> configs, PrintWriter out, List<String> extraLines)
      throws Exception {
    Vertx vertx = NativeTransport.vertx();
    List<Region> regions;
    try {
      regions = Region.startAll(vertx, configs);
    } catch (Exception e) {
      stop(vertx, List.of());
      throw e;
    }
    for (Region region : regions) {
      out.println(region.startupLine());
    }
    extraLines.forEach(out::println);
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop(vertx, regions);
                  stopped.countDown();
                },
                "meridian-shutdown"));
    stopped.await();
    return 0;
  }

  private static void stop(Vertx vertx, List<Region> regions) {
    for (Region region : regions) {
      try {
        region.close();
      } catch (RuntimeException e) {
        System.err.println(
            "meridian: region " + region.config().region() + " did not close cleanly: " + e);
      }
    }
    try {
      vertx
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(VERTX_CLOSE_SECONDS_MAX, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("meridian: Vert.x did not close cleanly: " + e);
    }
  }
}
