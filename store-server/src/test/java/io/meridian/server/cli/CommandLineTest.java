package io.meridian.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.server.HostPort;
import io.meridian.server.RegionConfig;
import io.meridian.server.auth.ClientAuthConfig;
import io.meridian.server.auth.ClientBounds;
import io.meridian.server.auth.TokenFile;
import io.meridian.server.http.HttpApiConfig;
import io.meridian.server.http.WatchLimits;
import io.meridian.server.storage.DataDirectory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {
  @TempDir Path directory;

  private record Outcome(int exitCode, String out, String err) {}

  private static Outcome run(String... arguments) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        MeridianCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), arguments);
    return new Outcome(code, out.toString(), err.toString());
  }

  private static RegionConfig parseServer(String... arguments) {
    MeridianCommand root = new MeridianCommand();
    CommandLine line = new CommandLine(root);
    CommandLine.ParseResult result = line.parseArgs(arguments);
    ServerCommand server = (ServerCommand) result.subcommand().commandSpec().userObject();
    return server.regionConfig();
  }

  /**
   * {@code meridian local} with one region on a free port, data in {@code data}, and {@code flag}.
   */
  private static Process localRegion(Path data, String flag) throws java.io.IOException {
    return meridianProcess(
        "local", "--regions", "1", "--http-port-base", "0", "--data", data.toString(), flag);
  }

  /** Reads the startup line of region r1 and returns its HTTP port. */
  private static int firstRegionPort(BufferedReader output) throws java.io.IOException {
    String first = output.readLine();
    assertThat(first).startsWith("meridian region=r1 http=127.0.0.1:");
    return Integer.parseInt(first.replaceAll(".* http=127\\.0\\.0\\.1:([0-9]+) .*", "$1"));
  }

  /** {@code meridian ARGUMENTS} in a child JVM on this classpath, its standard error discarded. */
  private static Process meridianProcess(String... arguments) throws java.io.IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                MeridianCommand.class.getName()));
    command.addAll(List.of(arguments));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  /**
   * {@code server} as region a on any free ports, without TLS, with its data in {@code data}, then
   * {@code extra}.
   */
  private static String[] insecureServer(String data, String... extra) {
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "server",
                "--region",
                "a",
                "--http",
                "127.0.0.1:0",
                "--replication",
                "127.0.0.1:0",
                "--data",
                data,
                "--insecure"));
    arguments.addAll(List.of(extra));
    return arguments.toArray(String[]::new);
  }

  @Test
  void helpListsTheCommands() {
    Outcome outcome = run("--help");
    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.out()).contains("local", "certs", "server");
  }

  @Test
  void serverOptionsBecomeARegionConfig() {
    RegionConfig config =
        parseServer(
            "server",
            "--region",
            "a",
            "--http",
            "127.0.0.1:8081",
            "--replication",
            "[::1]:0",
            "--peer",
            "b=10.0.0.2:9000",
            "--peer",
            "c=host.example:9001",
            "--data",
            "d",
            "--tls-dir",
            "t");
    assertThat(config.region()).isEqualTo("a");
    assertThat(config.replication()).isEqualTo(new HostPort("::1", 0));
    assertThat(config.peers()).containsOnlyKeys("b", "c");
    assertThat(config.peers().get("c")).isEqualTo(new HostPort("host.example", 9001));
  }

  @Test
  void regionsNameEveryRegionIncludingThoseReachedOnlyThroughOthers() {
    RegionConfig config =
        parseServer(insecureServer("d", "--peer", "b=127.0.0.1:9000", "--regions", "c,b,a"));
    assertThat(config.peers()).containsOnlyKeys("b");
    assertThat(config.allRegions()).containsExactly("a", "b", "c");
    RegionConfig withoutList = parseServer(insecureServer("d", "--peer", "b=127.0.0.1:9000"));
    assertThat(withoutList.allRegions()).containsExactly("a", "b");
  }

  @Test
  void limitOptionsBoundTheHttpApiAndTheOperationIdMemory() {
    RegionConfig config =
        parseServer(
            insecureServer(
                "d",
                "--body-bytes-max",
                "2048",
                "--in-flight-requests-max",
                "7",
                "--name-bytes-max",
                "64",
                "--items-per-request-max",
                "10",
                "--elements-per-update-max",
                "99",
                "--nesting-depth-max",
                "4",
                "--session-token-characters-max",
                "1000",
                "--operation-id-retention-hours",
                "48",
                "--watch-streams-max",
                "5",
                "--watch-keys-per-stream-max",
                "6",
                "--watch-groups-queued-max",
                "7",
                "--watch-write-queue-bytes-max",
                "8192",
                "--watch-heartbeat-millis",
                "500",
                "--state-cache-mib",
                "0"));
    assertThat(config.httpApi()).isEqualTo(new HttpApiConfig(2048, 7, 64, 10, 99, 4, 1000));
    assertThat(config.operationIdRetentionMillis()).isEqualTo(48L * 3600 * 1000);
    assertThat(config.watchLimits()).isEqualTo(new WatchLimits(5, 6, 7, 8192, 500));
    assertThat(config.stateCacheBytes()).isZero();
    RegionConfig defaults = parseServer(insecureServer("d"));
    assertThat(defaults.httpApi()).isEqualTo(HttpApiConfig.defaults());
    assertThat(defaults.watchLimits()).isEqualTo(WatchLimits.defaults());
    assertThat(defaults.operationIdRetentionMillis())
        .isEqualTo(RegionConfig.OPERATION_ID_RETENTION_MILLIS_DEFAULT);
    assertThat(defaults.stateCacheBytes()).isEqualTo(RegionConfig.STATE_CACHE_BYTES_DEFAULT);
  }

  @Test
  void limitOptionsOutOfRangeAreUsageErrorsNamingTheOption() {
    String[][] cases = {
      {"--name-bytes-max", "257"},
      {"--items-per-request-max", "0"},
      {"--nesting-depth-max", "65"},
      {"--session-token-characters-max", "10"},
      {"--body-bytes-max", "0"},
      {"--operation-id-retention-hours", "0"},
      {"--watch-streams-max", "0"},
      {"--watch-heartbeat-millis", "-1"},
      {"--state-cache-mib", "-1"},
    };
    for (String[] limit : cases) {
      Outcome outcome = run(insecureServer(directory.resolve("d").toString(), limit[0], limit[1]));
      assertThat(outcome.exitCode()).as(String.join(" ", limit)).isEqualTo(2);
      assertThat(outcome.err()).as(String.join(" ", limit)).contains(limit[0]);
    }
  }

  @Test
  void invalidOptionsAreClearUsageErrors() {
    String[][] cases = {
      {
        "server",
        "--http",
        "127.0.0.1:0",
        "--replication",
        "127.0.0.1:0",
        "--data",
        "d",
        "--insecure"
      },
      {
        "server",
        "--region",
        "Bad Name",
        "--http",
        "127.0.0.1:0",
        "--replication",
        "127.0.0.1:0",
        "--data",
        "d",
        "--insecure"
      },
      {
        "server",
        "--region",
        "a",
        "--http",
        "127.0.0.1",
        "--replication",
        "127.0.0.1:0",
        "--data",
        "d",
        "--insecure"
      },
      {
        "server",
        "--region",
        "a",
        "--http",
        "127.0.0.1:70000",
        "--replication",
        "127.0.0.1:0",
        "--data",
        "d",
        "--insecure"
      },
      {
        "server",
        "--region",
        "a",
        "--http",
        "127.0.0.1:0",
        "--replication",
        "127.0.0.1:0",
        "--peer",
        "b",
        "--data",
        "d",
        "--insecure"
      },
      {
        "server",
        "--region",
        "a",
        "--http",
        "127.0.0.1:0",
        "--replication",
        "127.0.0.1:0",
        "--peer",
        "a=h:1",
        "--data",
        "d",
        "--insecure"
      },
      {
        "server",
        "--region",
        "a",
        "--http",
        "127.0.0.1:0",
        "--replication",
        "127.0.0.1:0",
        "--peer",
        "b=h:1",
        "--peer",
        "b=h:2",
        "--data",
        "d",
        "--insecure"
      },
      {
        "server",
        "--region",
        "a",
        "--http",
        "127.0.0.1:0",
        "--replication",
        "127.0.0.1:0",
        "--data",
        "d"
      },
      {
        "server",
        "--region",
        "a",
        "--http",
        "127.0.0.1:0",
        "--replication",
        "127.0.0.1:0",
        "--regions",
        "b,c",
        "--data",
        "d",
        "--insecure"
      },
      {
        "server",
        "--region",
        "a",
        "--http",
        "127.0.0.1:0",
        "--replication",
        "127.0.0.1:0",
        "--peer",
        "d=h:1",
        "--regions",
        "a,b,c",
        "--data",
        "d",
        "--insecure"
      },
      {
        "server",
        "--region",
        "a",
        "--http",
        "127.0.0.1:0",
        "--replication",
        "127.0.0.1:0",
        "--regions",
        "a,b,a",
        "--data",
        "d",
        "--insecure"
      },
      {"local", "--regions", "17"},
      {"local", "--regions", "0"},
      {"certs", "--out", "x", "--regions", "a,B"},
      {"nonsense"},
      {},
    };
    for (String[] arguments : cases) {
      Outcome outcome = run(arguments);
      assertThat(outcome.exitCode()).as(String.join(" ", arguments)).isEqualTo(2);
      assertThat(outcome.err()).as(String.join(" ", arguments)).isNotBlank();
    }
  }

  @Test
  void authOptionsBecomeTheClientAuthConfigAndTheirDefaultsAreOpen() throws Exception {
    assertThat(parseServer(insecureServer("d")).clientAuth()).isEqualTo(ClientAuthConfig.open());
    RegionConfig config =
        parseServer(
            insecureServer(
                "d",
                "--api-tokens",
                "tokens",
                "--metrics-open",
                "--in-flight-per-token-max",
                "7",
                "--in-flight-per-connection-max",
                "8",
                "--header-read-millis-max",
                "900",
                "--body-read-millis-max",
                "1000",
                "--header-bytes-max",
                "2048",
                "--http2-cleartext"));
    assertThat(config.clientAuth())
        .isEqualTo(
            new ClientAuthConfig(
                Optional.of(Path.of("tokens")),
                true,
                new ClientBounds(7, 8, 900, 1000, 2048),
                true));
    Path file = directory.resolve("auth.properties");
    Files.writeString(
        file,
        "region=a\nhttp=127.0.0.1:1\nreplication=127.0.0.1:2\ndata=d\ninsecure=true\n"
            + "api-tokens=from-file\n");
    assertThat(parseWithConfig("server", "--config", file.toString()).clientAuth().tokenFile())
        .contains(Path.of("from-file"));
    Outcome outOfRange = run(insecureServer("d", "--header-read-millis-max", "5"));
    assertThat(outOfRange.exitCode()).isEqualTo(2);
    assertThat(outOfRange.err()).contains("--header-read-millis-max must be at least 100");
  }

  @Test
  void serverServesHttpsUnlessPlainHttpIsAskedFor() {
    String[] tls = {
      "server",
      "--region",
      "a",
      "--http",
      "127.0.0.1:0",
      "--replication",
      "127.0.0.1:0",
      "--data",
      "d",
      "--tls-dir",
      "t"
    };
    RegionConfig https = parseServer(tls);
    assertThat(https.tls().https()).isTrue();
    assertThat(https.tls().httpTlsDirectory()).isEmpty();
    assertThat(https.tls().revocationList()).isEmpty();
    List<String> plain = new ArrayList<>(List.of(tls));
    plain.add("--http-plain");
    assertThat(parseServer(plain.toArray(String[]::new)).tls().https()).isFalse();
    List<String> withCrl = new ArrayList<>(List.of(tls));
    withCrl.addAll(List.of("--crl", "revoked.pem", "--http-tls-dir", "web"));
    RegionConfig both = parseServer(withCrl.toArray(String[]::new));
    assertThat(both.tls().revocationList()).contains(Path.of("revoked.pem"));
    assertThat(both.tls().httpTlsDirectory()).contains(Path.of("web"));
    // --insecure has no material: everything is plaintext, unless the HTTP API is given some.
    assertThat(parseServer(insecureServer("d")).tls().https()).isFalse();
    assertThat(parseServer(insecureServer("d", "--http-tls-dir", "web")).tls().https()).isTrue();
    Outcome exclusive = run(insecureServer("d", "--http-plain", "--http-tls-dir", "web"));
    assertThat(exclusive.exitCode()).isEqualTo(2);
    assertThat(exclusive.err()).contains("--http-plain and --http-tls-dir exclude each other");
    Outcome crlWithoutTls = run(insecureServer("d", "--crl", "revoked.pem"));
    assertThat(crlWithoutTls.exitCode()).isEqualTo(2);
    assertThat(crlWithoutTls.err()).contains("--crl needs TLS between regions");
  }

  @Test
  void localWithHttpsPrintsTheCaAndServesHttp2ToLocalhost() throws Exception {
    Path data = directory.resolve("local-https");
    Process local = localRegion(data, "--https");
    try {
      BufferedReader output =
          new BufferedReader(new InputStreamReader(local.getInputStream(), StandardCharsets.UTF_8));
      int port = firstRegionPort(output);
      String caLine = output.readLine();
      Path ca = data.resolve("tls").resolve("ca.pem");
      assertThat(caLine).startsWith("meridian ca=" + ca + " ");
      java.net.http.HttpClient client =
          java.net.http.HttpClient.newBuilder()
              .sslContext(io.meridian.server.tls.TestCertificates.trusting(ca))
              .build();
      java.net.http.HttpResponse<String> live =
          client.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("https://localhost:" + port + "/health/live"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
      local.destroy();
      assertThat(local.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      local.destroyForcibly();
    }
  }

  @Test
  void localWithAuthPrintsATokenThatWorksAndKeepsOnlyItsHash() throws Exception {
    Path data = directory.resolve("local-auth");
    Process local = localRegion(data, "--auth");
    try {
      BufferedReader output =
          new BufferedReader(new InputStreamReader(local.getInputStream(), StandardCharsets.UTF_8));
      int port = firstRegionPort(output);
      String tokenLine = output.readLine();
      assertThat(tokenLine).startsWith("meridian token=");
      String token = tokenLine.substring("meridian token=".length()).split(" ", 2)[0];
      String file = Files.readString(data.resolve(LocalCommand.TOKEN_FILE));
      assertThat(file).doesNotContain(token).contains(TokenFile.sha256Hex(token));
      java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
      java.net.URI status = java.net.URI.create("http://127.0.0.1:" + port + "/v1/status");
      assertThat(
              client
                  .send(
                      java.net.http.HttpRequest.newBuilder(status).build(),
                      java.net.http.HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .isEqualTo(401);
      assertThat(
              client
                  .send(
                      java.net.http.HttpRequest.newBuilder(status)
                          .header("Authorization", "Bearer " + token)
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .isEqualTo(200);
      local.destroy();
      assertThat(local.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      local.destroyForcibly();
    }
  }

  @Test
  void aJsonConfigFileSuppliesOptionsAndTheCommandLineWins() throws Exception {
    Path file = directory.resolve("a.json");
    Files.writeString(
        file,
        "{\"region\":\"a\",\"http\":\"127.0.0.1:1\",\"replication\":\"127.0.0.1:2\","
            + "\"peer\":[\"b=127.0.0.1:3\",\"c=127.0.0.1:4\"],\"data\":\"d\",\"--insecure\":true}");
    RegionConfig config =
        parseWithConfig("server", "--config", file.toString(), "--http", "127.0.0.1:9");
    assertThat(config.http()).isEqualTo(new HostPort("127.0.0.1", 9));
    assertThat(config.replication()).isEqualTo(new HostPort("127.0.0.1", 2));
    assertThat(config.peers()).containsOnlyKeys("b", "c");
    assertThat(config.insecure()).isTrue();
  }

  @Test
  void aPropertiesConfigFileSuppliesOptions() throws Exception {
    Path file = directory.resolve("a.properties");
    Files.writeString(
        file,
        "region=a\nhttp=127.0.0.1:1\nreplication=127.0.0.1:2\npeer=b=127.0.0.1:3\ndata=d\ntls-dir=t\n");
    RegionConfig config = parseWithConfig("server", "--config", file.toString());
    assertThat(config.peers()).containsOnlyKeys("b");
    assertThat(config.tlsDirectory()).contains(Path.of("t"));
  }

  @Test
  void aConfigFileWithAnUnknownOptionIsRefused() throws Exception {
    Path file = directory.resolve("bad.properties");
    Files.writeString(file, "region=a\nrgion=b\n");
    Outcome outcome = run("server", "--config", file.toString());
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.err()).contains("unknown option", "rgion");
  }

  private static RegionConfig parseWithConfig(String... arguments) {
    // The same path as execute: the file becomes the subcommand's default value provider.
    MeridianCommand root = new MeridianCommand();
    CommandLine line = new CommandLine(root);
    CommandLine sub = line.getSubcommands().get(arguments[0]);
    ConfigFile config = ConfigFile.load(Path.of(arguments[2]));
    config.checkNames(sub.getCommandSpec());
    sub.setDefaultValueProvider(config);
    CommandLine.ParseResult result = line.parseArgs(arguments);
    return ((ServerCommand) result.subcommand().commandSpec().userObject()).regionConfig();
  }

  @Test
  void certsWritesTheCaAndRegionFiles() {
    Outcome outcome = run("certs", "--out", directory.toString(), "--regions", "a,b");
    assertThat(outcome.exitCode()).isZero();
    for (String name :
        List.of("ca.pem", "ca-key.pem", "a.pem", "a-key.pem", "b.pem", "b-key.pem")) {
      assertThat(directory.resolve(name)).isRegularFile();
    }
  }

  @Test
  void aServerPrintsItsAddressesFirstAndStopsGracefullyOnSigterm() throws Exception {
    Path data = directory.resolve("data");
    Process server =
        meridianProcess(
            "server",
            "--region",
            "a",
            "--http",
            "127.0.0.1:0",
            "--replication",
            "127.0.0.1:0",
            "--data",
            data.toString(),
            "--insecure");
    try {
      BufferedReader output =
          new BufferedReader(
              new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String first = output.readLine();
      assertThat(first)
          .matches(
              "meridian region=a http=127\\.0\\.0\\.1:[1-9][0-9]* replication=127\\.0\\.0\\.1:[1-9][0-9]*");
      server.destroy(); // SIGTERM
      assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
      // The shutdown hook closed storage: the directory is free again.
      DataDirectory.open(data).close();
    } finally {
      server.destroyForcibly();
    }
  }
}
