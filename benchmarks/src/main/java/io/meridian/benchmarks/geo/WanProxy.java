package io.meridian.benchmarks.geo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy for the connections one region dials to another: it listens on a loopback port that
 * the dialling region has as its peer's address, and forwards to the peer's replication port. Bytes
 * from the dialler follow the {@code outbound} link, the answers on the same connection the {@code
 * inbound} link (replication frames flow both ways on one connection).
 *
 * <p>Each direction of a connection is a reader thread and a writer thread with a bounded queue of
 * chunks between them ({@link #QUEUE_CHUNKS_MAX} of at most {@link #CHUNK_BYTES_MAX} bytes): the
 * reader stamps each chunk with its release time (bandwidth, delay, jitter, loss stall; never
 * before the previous chunk, so the stream keeps its order), the writer sleeps until then and waits
 * while the link holds. A full queue stops the reader, so TCP's own flow control pushes back on the
 * sender. Blocking sockets keep it short: a few connections per run.
 */
public final class WanProxy implements AutoCloseable {
  /** Largest chunk read at once. */
  public static final int CHUNK_BYTES_MAX = 16 * 1024;

  /** Chunks queued per direction of a connection before the reader stops reading. */
  public static final int QUEUE_CHUNKS_MAX = 4096;

  private static final long HOLD_POLL_MILLIS = 5;

  private final WanLink outbound;
  private final WanLink inbound;
  private final int targetPort;
  private final ServerSocket listener;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * Starts listening on a free loopback port.
   *
   * @param outbound the link the dialler's bytes follow
   * @param inbound the link the answers follow
   * @param targetPort the peer's replication port on 127.0.0.1
   * @throws IOException if no port can be bound
   */
  public WanProxy(WanLink outbound, WanLink inbound, int targetPort) throws IOException {
    this.outbound = outbound;
    this.inbound = inbound;
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptLoop, "wan-proxy-" + outbound);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * @return the port the dialling region must use as its peer's address
   */
  public int port() {
    return listener.getLocalPort();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      if (outbound.partition() == WanLink.Partition.DROP
          || inbound.partition() == WanLink.Partition.DROP) {
        closeQuietly(client);
        continue;
      }
      Socket server = new Socket();
      try {
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
      } catch (IOException e) {
        // The peer is down (killed or restarting): the dialler sees a reset and retries.
        closeQuietly(client);
        closeQuietly(server);
        continue;
      }
      Connection connection = new Connection(client, server);
      connection.start();
    }
  }

  /** One proxied connection: two directions, each a reader and a writer. */
  private final class Connection {
    private final Socket client;
    private final Socket server;
    private final long outboundEpoch;
    private final long inboundEpoch;
    private volatile boolean ended;

    Connection(Socket client, Socket server) {
      this.client = client;
      this.server = server;
      this.outboundEpoch = outbound.dropEpoch();
      this.inboundEpoch = inbound.dropEpoch();
      sockets.add(client);
      sockets.add(server);
    }

    void start() {
      direction(client, server, outbound);
      direction(server, client, inbound);
    }

    boolean cut() {
      return closed || outbound.dropEpoch() != outboundEpoch || inbound.dropEpoch() != inboundEpoch;
    }

    void close() {
      ended = true;
      closeQuietly(client);
      closeQuietly(server);
      sockets.remove(client);
      sockets.remove(server);
    }

    private void direction(Socket source, Socket sink, WanLink link) {
      BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS_MAX);
      Thread reader = new Thread(() -> read(source, queue, link), "wan-read-" + link);
      Thread writer = new Thread(() -> write(sink, queue, link), "wan-write-" + link);
      reader.setDaemon(true);
      writer.setDaemon(true);
      reader.start();
      writer.start();
    }

    private void read(Socket source, BlockingQueue<Chunk> queue, WanLink link) {
      long previousReleaseNanos = 0;
      long wireFreeNanos = 0;
      try (InputStream in = source.getInputStream()) {
        byte[] buffer = new byte[CHUNK_BYTES_MAX];
        while (true) {
          int read = in.read(buffer);
          if (read < 0) {
            break;
          }
          long now = System.nanoTime();
          long bytesPerSecond = link.bytesPerSecondMax();
          long sendStart = Math.max(now, wireFreeNanos);
          wireFreeNanos =
              bytesPerSecond > 0 ? sendStart + read * 1_000_000_000L / bytesPerSecond : sendStart;
          long delayMillis = Math.max(0, link.delayMillis() + link.drawExtraMillis());
          long release = Math.max(previousReleaseNanos, wireFreeNanos + delayMillis * 1_000_000L);
          previousReleaseNanos = release;
          byte[] bytes = new byte[read];
          System.arraycopy(buffer, 0, bytes, 0, read);
          Chunk chunk = new Chunk(bytes, release);
          while (!queue.offer(chunk, HOLD_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            if (ended || cut()) {
              return;
            }
          }
        }
      } catch (IOException | InterruptedException e) {
        // The connection ended (closed by either side or cut by a DROP).
      } finally {
        queue.offer(Chunk.END);
      }
    }

    private void write(Socket sink, BlockingQueue<Chunk> queue, WanLink link) {
      try (OutputStream out = sink.getOutputStream()) {
        while (true) {
          Chunk chunk = queue.poll(HOLD_POLL_MILLIS, TimeUnit.MILLISECONDS);
          if (cut()) {
            break;
          }
          if (chunk == null) {
            continue;
          }
          if (chunk == Chunk.END) {
            break;
          }
          if (!waitForRelease(chunk, link)) {
            break;
          }
          out.write(chunk.bytes);
          out.flush();
          link.forwarded(chunk.bytes.length);
        }
      } catch (IOException | InterruptedException e) {
        // The other side went away.
      } finally {
        close();
      }
    }

    /** Sleeps until the chunk's release time and while the link holds; false if cut meanwhile. */
    private boolean waitForRelease(Chunk chunk, WanLink link) throws InterruptedException {
      while (true) {
        if (cut()) {
          return false;
        }
        long waitNanos = chunk.releaseNanos - System.nanoTime();
        if (link.partition() == WanLink.Partition.HOLD) {
          Thread.sleep(HOLD_POLL_MILLIS);
        } else if (waitNanos > 0) {
          TimeUnit.NANOSECONDS.sleep(Math.min(waitNanos, HOLD_POLL_MILLIS * 1_000_000L));
        } else {
          return true;
        }
      }
    }
  }

  /** A run of bytes and the time it may leave the proxy. */
  private record Chunk(byte[] bytes, long releaseNanos) {
    static final Chunk END = new Chunk(new byte[0], 0);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing a socket that is gone already.
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // Already closed.
    }
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }
}
