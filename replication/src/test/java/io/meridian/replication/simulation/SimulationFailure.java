package io.meridian.replication.simulation;

/** A checker found a broken property; the message names the seed and how to replay it. */
final class SimulationFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SimulationFailure(long seed, long tick, String property, String detail, Throwable cause) {
    super(
        property
            + " broken at tick "
            + tick
            + " of seed "
            + seed
            + ": "
            + detail
            + "\n  replay: "
            + Simulation.replayCommand(seed),
        cause);
  }
}
