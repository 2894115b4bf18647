package io.meridian.benchmarks.load;

import io.meridian.server.tls.DevelopmentCertificates;
import io.meridian.server.tls.TlsDirectory;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The replication transport's TLS engines side by side, in memory: a client and a server engine
 * with the regions' development certificates (mutual TLS) shake hands, then the client seals
 * records of one frame's size and the server opens them. Reported per record as this thread's CPU
 * time, which a busy machine inflates less than a rate; both engines run in the same invocation,
 * alternately, so they see the same machine.
 *
 * <p>{@code java -cp benchmarks.jar io.meridian.benchmarks.load.TlsEngineFigures [recordBytes]
 * [seconds] [rounds]} (default 2,560 bytes, about one replication frame of 24 entries; 10 s; 3):
 * the JDK engine needs 20 to 40 s of sealing before C2 has compiled its AES-GCM.
 */
public final class TlsEngineFigures {
  private TlsEngineFigures() {}

  public static void main(String[] args) throws Exception {
    int recordBytes = args.length > 0 ? Integer.parseInt(args[0]) : 2_560;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path directory = Files.createTempDirectory("meridian-tls-figures");
    try {
      DevelopmentCertificates.generate(directory, List.of("a", "b"));
      TlsDirectory server = TlsDirectory.of(directory, "a");
      TlsDirectory client = TlsDirectory.of(directory, "b");
      for (int round = 1; round <= rounds; round++) {
        for (SslProvider provider : List.of(SslProvider.JDK, SslProvider.OPENSSL)) {
          double micros = measure(provider, server, client, recordBytes, seconds);
          System.out.printf(
              Locale.ROOT,
              "round %d, %s engine: %.2f us of CPU per %d-byte record (seal and open); load"
                  + " average %.2f%n",
              round,
              provider,
              micros,
              recordBytes,
              ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
      }
    } finally {
      InProcessRegions.deleteTree(directory);
    }
  }

  private static double measure(
      SslProvider provider,
      TlsDirectory server,
      TlsDirectory client,
      int recordBytes,
      double seconds)
      throws SSLException {
    SslContext serverContext =
        SslContextBuilder.forServer(server.certificate().toFile(), server.privateKey().toFile())
            .trustManager(server.caCertificate().toFile())
            .clientAuth(ClientAuth.REQUIRE)
            .sslProvider(provider)
            .build();
    SslContext clientContext =
        SslContextBuilder.forClient()
            .keyManager(client.certificate().toFile(), client.privateKey().toFile())
            .trustManager(client.caCertificate().toFile())
            .sslProvider(provider)
            .build();
    SSLEngine serverEngine = serverContext.newEngine(ByteBufAllocator.DEFAULT);
    SSLEngine clientEngine = clientContext.newEngine(ByteBufAllocator.DEFAULT, "a", 0);
    serverEngine.setUseClientMode(false);
    clientEngine.setUseClientMode(true);
    try {
      int netSize = Math.max(clientEngine.getSession().getPacketBufferSize(), recordBytes * 2);
      ByteBuffer net = ByteBuffer.allocateDirect(netSize);
      ByteBuffer opened = ByteBuffer.allocateDirect(netSize);
      handshake(clientEngine, serverEngine, net, opened);
      ByteBuffer record = ByteBuffer.allocateDirect(recordBytes);
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      // Warm-up as long as the measurement, then the measurement.
      long records = 0;
      long cpuStart = 0;
      for (int phase = 0; phase < 2; phase++) {
        long until = System.nanoTime() + (long) (seconds * 1e9);
        cpuStart = threads.getCurrentThreadCpuTime();
        records = 0;
        while (System.nanoTime() < until) {
          for (int i = 0; i < 100; i++) {
            record.clear();
            net.clear();
            check(clientEngine.wrap(record, net));
            net.flip();
            opened.clear();
            check(serverEngine.unwrap(net, opened));
            if (opened.position() != recordBytes) {
              throw new IllegalStateException(
                  provider + ": opened " + opened.position() + " of " + recordBytes + " bytes");
            }
          }
          records += 100;
        }
      }
      return (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000.0 / records;
    } finally {
      ReferenceCountUtil.release(serverEngine);
      ReferenceCountUtil.release(clientEngine);
    }
  }

  private static void check(SSLEngineResult result) {
    if (result.getStatus() != SSLEngineResult.Status.OK) {
      throw new IllegalStateException("TLS record: " + result);
    }
  }

  /** Both engines' handshake through one buffer each way, tasks run inline. */
  private static void handshake(
      SSLEngine client, SSLEngine server, ByteBuffer net, ByteBuffer scratch) throws SSLException {
    client.beginHandshake();
    server.beginHandshake();
    ByteBuffer empty = ByteBuffer.allocate(0);
    for (int step = 0; step < 1_000; step++) {
      if (finished(client) && finished(server)) {
        return;
      }
      pass(client, server, net, scratch, empty);
      pass(server, client, net, scratch, empty);
    }
    throw new IllegalStateException("no handshake in 1,000 steps");
  }

  private static boolean finished(SSLEngine engine) {
    HandshakeStatus status = engine.getHandshakeStatus();
    return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
  }

  /** What {@code from} has to send, given to {@code to}. */
  private static void pass(
      SSLEngine from, SSLEngine to, ByteBuffer net, ByteBuffer scratch, ByteBuffer empty)
      throws SSLException {
    runTasks(from);
    net.clear();
    // Until nothing more comes out: BoringSSL's client is done before its last flight is out.
    while (net.hasRemaining()) {
      SSLEngineResult result = from.wrap(empty, net);
      runTasks(from);
      if (result.bytesProduced() == 0) {
        break;
      }
    }
    net.flip();
    while (net.hasRemaining()) {
      scratch.clear();
      SSLEngineResult result = to.unwrap(net, scratch);
      runTasks(to);
      if (result.bytesConsumed() == 0) {
        break;
      }
    }
  }

  private static void runTasks(SSLEngine engine) {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }
}
