package io.meridian.server.region;

import io.meridian.clocks.PhysicalClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/** Starts a {@link RegionDriver} over in-memory storage, as the tests and the simulation do. */
final class TestDrivers {
  private TestDrivers() {}

  /**
   * Recovers a driver from {@code log} and {@code checkpoints}, connects it to {@code send} and
   * pumps it once, as {@link RegionOwner} does at open.
   */
  static RegionDriver start(
      RegionOwnerConfig config,
      MemoryRegionLog log,
      MemoryRegionCheckpoints checkpoints,
      PhysicalClock clock,
      Runnable pumpWanted,
      BiConsumer<String, byte[]> send,
      Predicate<String> connected) {
    RegionDriver driver =
        RegionDriver.recover(
            config,
            new RegionDriver.Environment(
                log, checkpoints, clock, new SimpleMeterRegistry(), pumpWanted));
    driver.connect(
        new FrameSender() {
          @Override
          public void send(String peer, byte[] frame) {
            send.accept(peer, frame);
          }

          @Override
          public boolean connected(String peer) {
            return connected.test(peer);
          }
        });
    driver.pump();
    return driver;
  }
}
