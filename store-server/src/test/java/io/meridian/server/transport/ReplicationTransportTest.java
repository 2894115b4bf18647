package io.meridian.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.replication.proto.FrameProto;
import io.meridian.server.HostPort;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.meridian.server.tls.MutualTls;
import io.meridian.server.tls.TlsDirectory;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport names a peer by its certificate only: a frame whose sender field names another
 * region is dropped and counted, and a length over the frame bound closes the connection.
 */
class ReplicationTransportTest {
  @Test
  void framesFromAnotherSenderThanTheCertificateAreRejectedAndCounted(@TempDir Path root)
      throws Exception {
    Path tls = root.resolve("tls");
    DevelopmentCertificates.generate(tls, List.of("r1", "r2", "r3"));
    Vertx vertx = Vertx.vertx();
    Region r1 =
        Region.start(
            vertx,
            RegionConfig.builder("r1", root.resolve("r1"))
                .peers(
                    Map.of("r2", new HostPort("127.0.0.1", 0), "r3", new HostPort("127.0.0.1", 0)))
                .tlsDirectory(tls)
                .build());
    NetClient client = null;
    try {
      // Held until the end: Vert.x may close a client that is no longer referenced.
      client = vertx.createNetClient(MutualTls.clientOptions(TlsDirectory.of(tls, "r2")));
      NetSocket asR2 =
          client
              .connect(r1.replicationPort(), "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      CompletableFuture<Void> closed = new CompletableFuture<>();
      asR2.closeHandler(v -> closed.complete(null));
      asR2.write(framed(frame("r3")));
      asR2.write(framed(frame("r2")));
      awaitScrape(r1, "meridian_frames_wrong_sender{region=\"r1\"} 1.0");
      assertThat(closed).isNotDone();

      asR2.write(Buffer.buffer().appendInt(64 << 20));
      closed.get(10, TimeUnit.SECONDS);
      assertThat(r1.scrape()).contains("meridian_frames_wrong_sender{region=\"r1\"} 1.0");
    } finally {
      if (client != null) {
        client.close().toCompletionStage().toCompletableFuture().join();
      }
      r1.close();
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  @Test
  void theSenderFieldIsReadWithoutDecodingTheWholeFrame() {
    assertThat(ReplicationTransport.senderOf(frame("west"))).isEqualTo("west");
    assertThat(ReplicationTransport.senderOf(new byte[] {(byte) 0xff, 0x01})).isNull();
    assertThat(ReplicationTransport.senderOf(new byte[0])).isNull();
  }

  private static byte[] frame(String sender) {
    return FrameProto.newBuilder().setProtocolVersion(1).setSender(sender).build().toByteArray();
  }

  private static Buffer framed(byte[] frame) {
    return Buffer.buffer().appendInt(frame.length).appendBytes(frame);
  }

  private static void awaitScrape(Region region, String line) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!region.scrape().contains(line) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(region.scrape()).contains(line);
  }

  @Test
  void theReconnectDelayDoublesFromItsMinimumUpToOneSecondByDefault() {
    TransportConfig config =
        TransportConfig.builder("r1", java.util.Set.of("r1", "r2")).plaintext().build();
    List<Long> delays = new java.util.ArrayList<>();
    long delay = config.reconnectDelayMillisMin();
    for (int i = 0; i < 10; i++) {
      delays.add(delay);
      delay = ReplicationTransport.nextReconnectDelayMillis(delay, config);
    }
    // A healed link waits at most for its next dial: 1 s, not the 5 s it used to grow to.
    assertThat(delays)
        .containsExactly(50L, 100L, 200L, 400L, 800L, 1000L, 1000L, 1000L, 1000L, 1000L);
  }
}
