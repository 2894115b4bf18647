package io.meridian.benchmarks.load;

import io.meridian.server.HostPort;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Map;

/**
 * HTTP/1.1 keep-alive requests over a bounded pool of connections per region (the Vert.x HTTP
 * client). A request that sees no byte for {@code requestIdleTimeoutMillis} fails, so a hang is
 * counted instead of stalling the run.
 *
 * <p>Every request is made on one event-loop context of the client's own, so its connections, its
 * response events and the {@code body()} call that follows them run on one thread. Vert.x 5.0.7
 * drops the end of a response whose end arrives on the connection's thread while {@code body()} is
 * being called on another (eclipse-vertx/vert.x#6038, fixed after 5.0.7 by #6071): requests made
 * from several threads left a few answers with a status line and no completed body.
 */
final class LoadClient implements AutoCloseable {
  /** One answer: its status, its {@code Meridian-Session} token and its body. */
  record Reply(int status, String session, Buffer body) {}

  private final Vertx vertx;
  private final Context context;
  private final HttpClientAgent client;
  private final long requestIdleTimeoutMillis;
  private final java.util.concurrent.atomic.AtomicLong requested =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong granted =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong answered =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong finished =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * @param connectionsMax connections per region, at most
   * @param waitQueueRequestsMax requests waiting for a connection, at most; past it a request fails
   * @param requestIdleTimeoutMillis a request with no progress for this long fails
   */
  LoadClient(int connectionsMax, int waitQueueRequestsMax, long requestIdleTimeoutMillis) {
    this.vertx = Vertx.vertx();
    this.context = vertx.getOrCreateContext();
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setPipelining(false),
            new PoolOptions()
                .setHttp1MaxSize(connectionsMax)
                .setMaxWaitQueueSize(waitQueueRequestsMax));
    this.requestIdleTimeoutMillis = requestIdleTimeoutMillis;
  }

  Future<Reply> send(
      HostPort target, HttpMethod method, String uri, Buffer body, Map<String, String> headers) {
    if (Vertx.currentContext() == context) {
      return sendOnContext(target, method, uri, body, headers);
    }
    Promise<Reply> reply = Promise.promise();
    context.runOnContext(
        ignored -> sendOnContext(target, method, uri, body, headers).onComplete(reply));
    return reply.future();
  }

  private Future<Reply> sendOnContext(
      HostPort target, HttpMethod method, String uri, Buffer body, Map<String, String> headers) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost(target.host())
            .setPort(target.port())
            .setURI(uri)
            .setIdleTimeout(requestIdleTimeoutMillis);
    headers.forEach(options::putHeader);
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    requested.incrementAndGet();
    return client
        .request(options)
        .compose(
            request -> {
              granted.incrementAndGet();
              return body == null ? request.send() : request.send(body);
            })
        .compose(
            response -> {
              answered.incrementAndGet();
              return response
                  .body()
                  .map(
                      content ->
                          new Reply(
                              response.statusCode(),
                              response.getHeader("Meridian-Session"),
                              content));
            })
        .onComplete(ignored -> finished.incrementAndGet());
  }

  /**
   * Where the requests are: handed to the client, given a connection (sent), answered (status line
   * received), finished (body read or failed). A request that never leaves the client's pool stays
   * between the first two.
   */
  String progress() {
    return "handed to the client "
        + requested.get()
        + ", given a connection "
        + granted.get()
        + ", answered "
        + answered.get()
        + ", finished "
        + finished.get();
  }

  /** Runs {@code action} soon on the client's event loop (not on the caller's stack). */
  void later(Runnable action) {
    context.runOnContext(ignored -> vertx.setTimer(1, timer -> action.run()));
  }

  @Override
  public void close() {
    client.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
