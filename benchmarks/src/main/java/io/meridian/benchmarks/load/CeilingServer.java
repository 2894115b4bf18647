package io.meridian.benchmarks.load;

import io.meridian.server.HostPort;
import io.meridian.server.transport.NativeTransport;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The ceiling: a bare Vert.x HTTP server on the same stack as a region (same Vert.x and Netty, one
 * server verticle per event loop) that reads each request's body and answers a fixed JSON object of
 * the size of a counter's answer. Whatever a region does beyond this is what it costs; the load
 * tool measures both in one invocation and reports the region's rate as a share of this one.
 *
 * <p>Standalone, for wrk or another tool: {@code java -cp benchmarks.jar
 * io.meridian.benchmarks.load.CeilingServer [port]} (default 0: a free port, printed).
 */
public final class CeilingServer implements AutoCloseable {
  private static final Buffer ANSWER =
      Buffer.buffer("{\"type\":\"g-counter\",\"value\":1,\"bucket\":\"load\",\"key\":\"k1\"}");

  private final Vertx vertx;
  private final int port;

  private CeilingServer(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
  }

  /** Starts the server on 127.0.0.1:{@code port} (0: a free one) with one verticle per core. */
  public static CeilingServer start(int port) {
    Vertx vertx = NativeTransport.vertx();
    try {
      // One server per event loop, all on one port: a negative port asks Vert.x for a free port
      // shared by every server bound with that same number (eclipse-vertx/vert.x#3998).
      int shared = port == 0 ? -1 : port;
      List<Answering> servers = new ArrayList<>();
      int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
      for (int i = 0; i < instances; i++) {
        Answering server = new Answering(shared);
        servers.add(server);
        join(vertx.deployVerticle(server));
      }
      int bound = servers.get(0).boundPort;
      return new CeilingServer(vertx, bound);
    } catch (RuntimeException e) {
      join(vertx.close());
      throw e;
    }
  }

  /** Where it listens. */
  public HostPort address() {
    return new HostPort("127.0.0.1", port);
  }

  @Override
  public void close() {
    join(vertx.close());
  }

  public static void main(String[] args) throws InterruptedException {
    CeilingServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
    System.out.println("ceiling server listening on " + server.address());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    Thread.currentThread().join();
  }

  private static <T> T join(Future<T> future) {
    CompletableFuture<T> done = future.toCompletionStage().toCompletableFuture();
    return done.join();
  }

  /** One server on one event loop: read the body, answer the fixed object. */
  private static final class Answering extends AbstractVerticle {
    private final int port;
    private volatile int boundPort;

    Answering(int port) {
      this.port = port;
    }

    @Override
    public void start(Promise<Void> started) {
      vertx
          .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
          .requestHandler(
              request ->
                  request
                      .body()
                      .onComplete(
                          body ->
                              request
                                  .response()
                                  .putHeader("content-type", "application/json; charset=utf-8")
                                  .end(ANSWER)))
          .listen()
          .onSuccess(
              server -> {
                boundPort = server.actualPort();
                started.complete();
              })
          .onFailure(started::fail);
    }
  }
}
