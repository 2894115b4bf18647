package io.meridian.server.cli;

import io.meridian.server.RegionConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meridian local [--regions 3] [--data DIR]}: N regions named {@code r1} to {@code rN} in
 * this process on 127.0.0.1, HTTP on 8081 upwards, each region's data in {@code DIR/rI} and the
 * development TLS material in {@code DIR/tls} (made on first use).
 */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = "Run N regions in one process on localhost (the embedded default).")
final class LocalCommand implements Callable<Integer> {
  /** Most regions the system model allows (DESIGN "System model"). */
  static final int REGIONS_MAX = 16;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--regions",
      defaultValue = "3",
      description = "How many regions (1 to 16; default 3).")
  int regions;

  @Option(names = "--data", defaultValue = "data", description = "Data directory (default ./data).")
  Path data;

  @Option(
      names = "--http-port-base",
      defaultValue = "8081",
      description = "HTTP port of the first region; the others follow (0: any free ports).")
  int httpPortBase;

  @CommandLine.Mixin LimitOptions limits = new LimitOptions();

  @Option(names = "--config", description = "Read options from this properties or JSON file.")
  Path config;

  @Override
  public Integer call() throws Exception {
    return RegionRunner.run(regionConfigs(), spec.commandLine().getOut());
  }

  List<RegionConfig> regionConfigs() throws Exception {
    if (regions < 1 || regions > REGIONS_MAX) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--regions must be from 1 to " + REGIONS_MAX + ", got " + regions);
    }
    if (httpPortBase < 0 || httpPortBase + regions - 1 > 65_535) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--http-port-base out of range: " + httpPortBase);
    }
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= regions; i++) {
      names.add("r" + i);
    }
    DevelopmentCertificates.generate(data.resolve("tls"), names);
    return RegionConfig.localMesh(
        names,
        data,
        httpPortBase,
        region ->
            region
                .httpApi(limits.httpApi(spec))
                .operationIdRetentionMillis(limits.operationIdRetentionMillis(spec))
                .stateCacheBytes(limits.stateCacheBytes(spec)));
  }
}
