package io.meridian.server.cli;

import io.meridian.clocks.ReplicaIds;
import io.meridian.server.HostPort;
import io.meridian.server.RegionConfig;
import io.meridian.server.storage.UpdateLogConfig;
import io.meridian.server.tls.TlsOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian server ...}: one region (API "Command line"). */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run one region.")
final class ServerCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--region", required = true, description = "This region's name.")
  String region;

  @Option(
      names = "--http",
      required = true,
      description = "HOST:PORT of the HTTP API (port 0: any free port).")
  String http;

  @Option(
      names = "--replication",
      required = true,
      description = "HOST:PORT of the replication listener.")
  String replication;

  @Option(
      names = "--peer",
      split = ",",
      description = "NAME=HOST:PORT of another region; repeat for each peer.")
  List<String> peers = new ArrayList<>();

  @Option(
      names = "--regions",
      split = ",",
      description =
          "Every region of the deployment (NAME,NAME,...), this one and its peers included;"
              + " default: this region and its peers. A region listed here but not as a peer is"
              + " reached through the others.")
  List<String> regions = new ArrayList<>();

  @Option(names = "--data", required = true, description = "The region's data directory.")
  Path data;

  @Option(names = "--tls-dir", description = "Directory with ca.pem, NAME.pem and NAME-key.pem.")
  Path tlsDirectory;

  @Option(
      names = "--insecure",
      description =
          "Replication (and, without --http-tls-dir, the HTTP API) without TLS. For tests only.")
  boolean insecure;

  @Option(
      names = "--http-plain",
      description =
          "Serve the HTTP API over plain HTTP. Default: HTTPS (HTTP/2 by ALPN, else HTTP/1.1) with"
              + " the material of --http-tls-dir or --tls-dir.")
  boolean httpPlain;

  @Option(
      names = "--http-tls-dir",
      description =
          "Directory with ca.pem, NAME.pem and NAME-key.pem for the HTTP API (default: --tls-dir).")
  Path httpTlsDirectory;

  @Option(
      names = "--crl",
      description =
          "Revocation list file (PEM or DER, signed by the CA): peers' certificates in it are"
              + " refused; read again on change and on SIGHUP.")
  Path revocationList;

  @CommandLine.Mixin LimitOptions limits = new LimitOptions();

  @CommandLine.Mixin AuthOptions auth = new AuthOptions();

  @Option(names = "--config", description = "Read options from this properties or JSON file.")
  Path config;

  @Override
  public Integer call() throws Exception {
    RegionConfig regionConfig = regionConfig();
    if (insecure) {
      System.err.println(
          "meridian: WARNING: --insecure: replication runs WITHOUT TLS and accepts any peer. For tests only.");
    }
    AuthOptions.warnIfOpen(regionConfig.clientAuth());
    if (!regionConfig.tls().https()) {
      System.err.println(
          "meridian: WARNING: the HTTP API is served over plain HTTP"
              + (httpPlain ? " (--http-plain)" : " (--insecure)")
              + ": tokens and data cross the network in clear text.");
    }
    return RegionRunner.run(List.of(regionConfig), spec.commandLine().getOut());
  }

  RegionConfig regionConfig() {
    requireRegionName(spec, region);
    HostPort httpAddress = address("--http", http);
    HostPort replicationAddress = address("--replication", replication);
    Map<String, HostPort> peerAddresses = new LinkedHashMap<>();
    for (String peer : peers) {
      int equals = peer.indexOf('=');
      if (equals <= 0) {
        throw usage("--peer must be NAME=HOST:PORT, got '" + peer + "'");
      }
      String name = peer.substring(0, equals);
      requireRegionName(spec, name);
      if (name.equals(region)) {
        throw usage("--peer " + name + " is this region itself");
      }
      if (peerAddresses.put(name, address("--peer " + name, peer.substring(equals + 1))) != null) {
        throw usage("--peer " + name + " is given twice");
      }
    }
    Set<String> allRegions = new TreeSet<>();
    for (String name : regions) {
      requireRegionName(spec, name);
      if (!allRegions.add(name)) {
        throw usage("--regions names " + name + " twice");
      }
    }
    if (!allRegions.isEmpty()) {
      if (!allRegions.contains(region)) {
        throw usage("--regions must include this region, " + region);
      }
      for (String peer : peerAddresses.keySet()) {
        if (!allRegions.contains(peer)) {
          throw usage("--peer " + peer + " is not one of --regions " + String.join(",", regions));
        }
      }
    }
    if (tlsDirectory == null && !insecure) {
      throw usage("--tls-dir is required (or --insecure, for tests only)");
    }
    if (tlsDirectory != null && insecure) {
      throw usage("--tls-dir and --insecure exclude each other");
    }
    limits.configureContextExpiry(spec);
    if (httpPlain && httpTlsDirectory != null) {
      throw usage("--http-plain and --http-tls-dir exclude each other");
    }
    if (insecure && revocationList != null) {
      throw usage("--crl needs TLS between regions (not --insecure)");
    }
    boolean https = !httpPlain && (!insecure || httpTlsDirectory != null);
    TlsOptions tls =
        new TlsOptions(
            https, Optional.ofNullable(httpTlsDirectory), Optional.ofNullable(revocationList));
    return RegionConfig.builder(region, data)
        .http(httpAddress)
        .replication(replicationAddress)
        .peers(peerAddresses)
        .tlsDirectory(tlsDirectory)
        .insecure(insecure)
        .httpApi(limits.httpApi(spec))
        .updateLog(UpdateLogConfig.defaults())
        .regions(allRegions)
        .operationIdRetentionMillis(limits.operationIdRetentionMillis(spec))
        .watchLimits(limits.watchLimits(spec))
        .clientAuth(auth.clientAuth(spec))
        .stateCacheBytes(limits.stateCacheBytes(spec))
        .tls(tls)
        .build();
  }

  private HostPort address(String option, String text) {
    try {
      return HostPort.parse(text);
    } catch (IllegalArgumentException e) {
      throw usage(option + ": " + e.getMessage());
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  static void requireRegionName(CommandLine.Model.CommandSpec spec, String name) {
    if (!ReplicaIds.isValid(name)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "invalid region name '" + name + "': 1 to 64 of [a-z0-9._-], starting alphanumeric");
    }
  }
}
