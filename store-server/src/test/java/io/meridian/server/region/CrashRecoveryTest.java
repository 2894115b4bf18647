package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.server.HostPort;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.cli.MeridianCommand;
import io.meridian.server.tls.DevelopmentCertificates;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 with a real process: region r3 runs in its own JVM, is SIGKILLed in the middle of a stream of
 * increments, and restarts on the same directory. Every increment it acknowledged is there at once
 * (from its own log and checkpoint), and then at every region.
 */
class CrashRecoveryTest {
  private static final Pattern START_LINE =
      Pattern.compile(
          "meridian region=r3 http=127\\.0\\.0\\.1:(\\d+) replication=127\\.0\\.0\\.1:(\\d+)");
  private static final List<String> NAMES = List.of("r1", "r2", "r3");
  private final HttpTestClient http = new HttpTestClient();

  @Test
  void everyAcknowledgedIncrementSurvivesASigkill(@TempDir Path root) throws Exception {
    Path tls = root.resolve("tls");
    DevelopmentCertificates.generate(tls, NAMES);
    Vertx vertx = Vertx.vertx();
    Region r1 = Region.start(vertx, config("r1", root, tls, Map.of("r2", 0, "r3", 0)));
    Region r2 =
        Region.start(vertx, config("r2", root, tls, Map.of("r1", r1.replicationPort(), "r3", 0)));
    Process child = null;
    try {
      String[] arguments = {
        "server",
        "--region",
        "r3",
        "--http",
        "127.0.0.1:0",
        "--replication",
        "127.0.0.1:0",
        "--peer",
        "r1=127.0.0.1:" + r1.replicationPort(),
        "--peer",
        "r2=127.0.0.1:" + r2.replicationPort(),
        "--data",
        root.resolve("r3").toString(),
        "--tls-dir",
        tls.toString(),
        // This test's client speaks plain HTTP; `server` serves HTTPS unless told.
        "--http-plain"
      };
      child = startServer(root.resolve("r3.log"), arguments);
      int port = httpPort(child);
      AtomicLong acknowledged = new AtomicLong();
      AtomicLong sent = new AtomicLong();
      Thread writer =
          new Thread(
              () -> {
                try {
                  while (true) {
                    sent.incrementAndGet();
                    HttpTestClient.Reply reply =
                        http.post(
                            port,
                            "/v1/buckets/crash/keys/counter",
                            "{\"type\":\"g-counter\",\"op\":\"increment\"}");
                    if (reply.status() != 200) {
                      return;
                    }
                    acknowledged.incrementAndGet();
                  }
                } catch (RuntimeException connectionGone) {
                  // The region died under the request: it was never acknowledged.
                }
              });
      writer.start();
      while (acknowledged.get() < 200) {
        Thread.sleep(10);
      }
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no last checkpoint
      child.waitFor();
      writer.join();
      long acked = acknowledged.get();

      child = startServer(root.resolve("r3.log"), arguments);
      int restartedPort = httpPort(child);
      HttpTestClient.Reply atOnce =
          http.get(restartedPort, "/v1/buckets/crash/keys/counter", Map.of());
      assertThat(atOnce.status()).isEqualTo(200);
      assertThat(atOnce.body().get("value").asLong())
          .as("acknowledged %d of %d sent", acked, sent.get())
          .isBetween(acked, sent.get());

      long deadline = System.nanoTime() + 30_000_000_000L;
      long[] values = new long[3];
      int[] ports = {r1.httpPort(), r2.httpPort(), restartedPort};
      while (System.nanoTime() < deadline) {
        for (int i = 0; i < 3; i++) {
          HttpTestClient.Reply reply = http.get(ports[i], "/v1/buckets/crash/keys/counter");
          values[i] = reply.status() == 200 ? reply.body().get("value").asLong() : -1;
        }
        if (values[0] == values[2] && values[1] == values[2]) {
          break;
        }
        Thread.sleep(50);
      }
      assertThat(values[0]).isEqualTo(values[2]).isGreaterThanOrEqualTo(acked);
      assertThat(values[1]).isEqualTo(values[2]);
    } finally {
      if (child != null) {
        child.destroyForcibly().waitFor();
      }
      r2.close();
      r1.close();
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  private static RegionConfig config(String name, Path root, Path tls, Map<String, Integer> peers) {
    Map<String, HostPort> addresses = new LinkedHashMap<>();
    peers.forEach((peer, port) -> addresses.put(peer, new HostPort("127.0.0.1", port)));
    return RegionConfig.builder(name, root.resolve(name))
        .peers(addresses)
        .tlsDirectory(tls)
        .build();
  }

  /** {@code meridian server ...} in a JVM of its own with the test class path. */
  private static Process startServer(Path log, String... arguments) throws java.io.IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(MeridianCommand.class.getName());
    command.addAll(List.of(arguments));
    return new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private static int httpPort(Process child) throws Exception {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line = reader.readLine();
    assertThat(line).as("first line of the child's stdout").isNotNull();
    Matcher matcher = START_LINE.matcher(line);
    assertThat(matcher.matches()).as(line).isTrue();
    return Integer.parseInt(matcher.group(1));
  }
}
