package io.meridian.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.server.auth.ClientAuthConfig;
import io.meridian.server.auth.ClientBounds;
import io.meridian.server.http.HttpApiConfig;
import io.meridian.server.http.WatchLimits;
import io.meridian.server.storage.UpdateLogConfig;
import io.meridian.server.tls.TlsOptions;
import io.meridian.server.transport.PeerAddress;
import io.meridian.server.transport.TransportConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The builders of {@link RegionConfig} and {@link TransportConfig}: defaults, copies, checks. */
class ConfigBuildersTest {
  private static final HostPort ANY = new HostPort("127.0.0.1", 0);

  @Test
  void aRegionBuilderStartsAtTheDefaults() {
    RegionConfig built = RegionConfig.builder("r1", Path.of("d")).insecure(true).build();
    assertThat(built)
        .isEqualTo(
            new RegionConfig(
                "r1",
                ANY,
                ANY,
                Map.of(),
                Path.of("d"),
                Optional.empty(),
                true,
                HttpApiConfig.defaults(),
                UpdateLogConfig.defaults(),
                Set.of(),
                RegionConfig.OPERATION_ID_RETENTION_MILLIS_DEFAULT,
                WatchLimits.defaults(),
                ClientAuthConfig.open(),
                RegionConfig.STATE_CACHE_BYTES_DEFAULT,
                TlsOptions.plainHttp()));
  }

  @Test
  void toBuilderCopiesEveryComponent() {
    RegionConfig config =
        new RegionConfig(
            "r1",
            new HostPort("10.0.0.1", 8080),
            new HostPort("10.0.0.1", 7070),
            Map.of("r2", new HostPort("10.0.0.2", 7070)),
            Path.of("data"),
            Optional.of(Path.of("tls")),
            false,
            new HttpApiConfig(1_000, 10),
            UpdateLogConfig.defaults().withSegmentBytesMax(4096),
            Set.of("r1", "r2", "r3"),
            1_000,
            WatchLimits.defaults(),
            new ClientAuthConfig(
                Optional.of(Path.of("tokens")),
                true,
                new ClientBounds(5, 6, 7_000, 8_000, 9_000),
                true),
            1 << 20,
            new TlsOptions(true, Optional.of(Path.of("https")), Optional.of(Path.of("crl.pem"))));
    assertThat(config.toBuilder().build()).isEqualTo(config);
    assertThat(config.toBuilder().operationIdRetentionMillis(5).build())
        .isEqualTo(
            new RegionConfig(
                config.region(),
                config.http(),
                config.replication(),
                config.peers(),
                config.dataDirectory(),
                config.tlsDirectory(),
                config.insecure(),
                config.httpApi(),
                config.updateLog(),
                config.regions(),
                5,
                config.watchLimits(),
                config.clientAuth(),
                config.stateCacheBytes(),
                config.tls()));
  }

  @Test
  void aRegionBuilderKeepsTheRecordsChecks() {
    assertThatThrownBy(() -> RegionConfig.builder("r1", Path.of("d")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TLS directory is required");
    assertThatThrownBy(
            () ->
                RegionConfig.builder("r1", Path.of("d"))
                    .insecure(true)
                    .peers(Map.of("r1", ANY))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("its own peer");
    assertThatThrownBy(
            () ->
                RegionConfig.builder("r1", Path.of("d"))
                    .insecure(true)
                    .tls(TlsOptions.httpsWithRegionMaterial())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HTTPS needs a TLS directory");
  }

  @Test
  void aLocalMeshNumbersPortsAndListsEveryOtherRegionAsAPeer() {
    List<RegionConfig> mesh =
        RegionConfig.localMesh(
            List.of("a", "b", "c"), Path.of("data"), 9000, region -> region.insecure(true));
    assertThat(mesh).extracting(config -> config.http().port()).containsExactly(9000, 9001, 9002);
    assertThat(mesh.get(1).peers()).containsOnlyKeys("a", "c");
    assertThat(mesh.get(1).dataDirectory()).isEqualTo(Path.of("data", "b"));
    assertThat(mesh).allMatch(RegionConfig::insecure);
    assertThat(RegionConfig.localMesh(List.of("a"), Path.of("data"), 0, region -> region))
        .singleElement()
        .satisfies(
            config -> {
              assertThat(config.tlsDirectory()).contains(Path.of("data", "tls"));
              assertThat(config.http()).isEqualTo(ANY);
            });
  }

  @Test
  void aTransportBuilderStartsAtTheDefaultsAndNeedsATlsChoice() {
    TransportConfig.Builder builder = TransportConfig.builder("r1", Set.of("r1", "r2"));
    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("plaintext");
    assertThat(builder.plaintext().build())
        .isEqualTo(
            new TransportConfig(
                "r1",
                Set.of("r1", "r2"),
                "127.0.0.1",
                0,
                List.of(),
                null,
                1 << 20,
                TransportConfig.SEND_QUEUE_FRAMES_MAX_DEFAULT,
                TransportConfig.RECONNECT_DELAY_MILLIS_MIN_DEFAULT,
                TransportConfig.RECONNECT_DELAY_MILLIS_MAX_DEFAULT));
    TransportConfig set =
        TransportConfig.builder("r1", Set.of("r1", "r2"))
            .listen("0.0.0.0", 7070)
            .peers(List.of(new PeerAddress("r2", "h2", 7071)))
            .plaintext()
            .frameBytesMax(4096)
            .sendQueueFramesMax(8)
            .reconnectDelayMillis(10, 20)
            .build();
    assertThat(set)
        .isEqualTo(
            new TransportConfig(
                "r1",
                Set.of("r1", "r2"),
                "0.0.0.0",
                7070,
                List.of(new PeerAddress("r2", "h2", 7071)),
                null,
                4096,
                8,
                10,
                20));
    assertThatThrownBy(
            () ->
                TransportConfig.builder("r1", Set.of("r1"))
                    .plaintext()
                    .reconnectDelayMillis(20, 10)
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theEventualDeliveryModeIsOnlyTheBenchmarkPropertysExactValue() {
    String before = System.getProperty(Region.DELIVERY_PROPERTY);
    try {
      System.clearProperty(Region.DELIVERY_PROPERTY);
      assertThat(Region.eventualDeliveryForBenchmarks()).isFalse();
      System.setProperty(Region.DELIVERY_PROPERTY, "causal");
      assertThat(Region.eventualDeliveryForBenchmarks()).isFalse();
      System.setProperty(Region.DELIVERY_PROPERTY, "eventual");
      assertThat(Region.eventualDeliveryForBenchmarks()).isTrue();
      for (String refused : List.of("Eventual", "true", "")) {
        System.setProperty(Region.DELIVERY_PROPERTY, refused);
        assertThatThrownBy(Region::eventualDeliveryForBenchmarks)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("causal or eventual");
      }
    } finally {
      if (before == null) {
        System.clearProperty(Region.DELIVERY_PROPERTY);
      } else {
        System.setProperty(Region.DELIVERY_PROPERTY, before);
      }
    }
  }
}
