package io.meridian.server.cli;

import io.meridian.server.tls.DevelopmentCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code meridian certs --out DIR --regions a,b,c}: a development CA and region certificates. */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = "Make a development CA and one certificate per region (for mutual TLS).")
final class CertsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", required = true, description = "Directory to write the PEM files to.")
  Path out;

  @Option(
      names = "--regions",
      required = true,
      split = ",",
      description = "Region names, comma-separated.")
  List<String> regions;

  @Option(names = "--config", description = "Read options from this properties or JSON file.")
  Path config;

  @Override
  public Integer call() throws Exception {
    for (String region : regions) {
      ServerCommand.requireRegionName(spec, region);
    }
    List<Path> written = DevelopmentCertificates.generate(out, regions);
    for (Path file : written) {
      spec.commandLine().getOut().println("wrote " + file);
    }
    if (written.isEmpty()) {
      spec.commandLine().getOut().println("nothing to do: " + out + " has every certificate");
    }
    return 0;
  }
}
