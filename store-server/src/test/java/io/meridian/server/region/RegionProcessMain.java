package io.meridian.server.region;

import io.meridian.server.transport.PeerAddress;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A region in a JVM of its own, for the crash test: {@code NAME DATA TLS REGIONS PEER=PORT...}.
 * Prints the start line, then serves until killed. Not a test itself.
 */
final class RegionProcessMain {
  private RegionProcessMain() {}

  public static void main(String[] arguments) throws Exception {
    String name = arguments[0];
    List<PeerAddress> peers = new ArrayList<>();
    for (int i = 4; i < arguments.length; i++) {
      String[] peer = arguments[i].split("=", 2);
      peers.add(new PeerAddress(peer[0], "127.0.0.1", Integer.parseInt(peer[1])));
    }
    LaunchConfig config =
        new LaunchConfig(
            name,
            List.of(arguments[3].split(",")),
            "127.0.0.1",
            0,
            "127.0.0.1",
            0,
            peers,
            Path.of(arguments[1]),
            Path.of(arguments[2]),
            false);
    RegionLauncher.RunningRegion region = RegionLauncher.start(Vertx.vertx(), config);
    System.out.println(region.startLine());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  /** Starts this class's main in a new JVM with the test class path; stderr goes to {@code log}. */
  static Process start(Path log, String... arguments) throws java.io.IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(RegionProcessMain.class.getName());
    command.addAll(List.of(arguments));
    return new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }
}
