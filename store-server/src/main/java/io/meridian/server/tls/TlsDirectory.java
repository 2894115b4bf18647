package io.meridian.server.tls;

import io.meridian.clocks.ReplicaIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A region's TLS material in a {@code --tls-dir}: {@code ca.pem} (the CA every region trusts),
 * {@code NAME.pem} (the region's certificate) and {@code NAME-key.pem} (its PKCS#8 private key).
 * Immutable; {@link #equals} is structural.
 *
 * @param caCertificate path of {@code ca.pem}
 * @param certificate path of {@code NAME.pem}
 * @param privateKey path of {@code NAME-key.pem}
 * @param region the region the certificate names
 */
public record TlsDirectory(Path caCertificate, Path certificate, Path privateKey, String region) {
  public TlsDirectory {
    Objects.requireNonNull(caCertificate, "caCertificate");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    ReplicaIds.require(region);
  }

  /**
   * The material of {@code region} in {@code directory}, checked to be readable files.
   *
   * @throws IllegalArgumentException naming the first missing file
   */
  public static TlsDirectory of(Path directory, String region) {
    ReplicaIds.require(region);
    TlsDirectory material =
        new TlsDirectory(
            directory.resolve("ca.pem"),
            directory.resolve(region + ".pem"),
            directory.resolve(region + "-key.pem"),
            region);
    for (Path file :
        new Path[] {material.caCertificate, material.certificate, material.privateKey}) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException(
            "TLS material missing: "
                + file
                + " (make it with: meridian certs --out "
                + directory
                + " --regions "
                + region
                + ")");
      }
    }
    return material;
  }
}
