package io.meridian.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.DecodeException;
import io.meridian.server.session.SessionToken;
import io.meridian.server.session.SessionTokenCodec;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * {@code GET /v1/buckets/{bucket}/watch?key=K&key=...}: the changes of the watched keys as
 * Server-Sent Events ({@code docs/api-extensions.md}, "Live values"). First the keys changed since
 * the {@code Last-Event-ID} token (every watched key without one), then {@code ready}, then one
 * {@code change} event per changed key and group of applied entries, in the order the region
 * applied them. The last event of each group carries the token to resume from as its {@code id}.
 *
 * <p>Bounded: at most {@link WatchLimits#streamsMax()} streams per region; per stream at most
 * {@link WatchLimits#groupsQueuedMax()} groups handed over and not yet written and {@link
 * WatchLimits#writeQueueBytesMax()} bytes not yet sent. A reader past either gets an {@code
 * overflow} event and the stream ends; it resumes from its last id and misses nothing.
 */
final class WatchStream {
  /** The header an SSE client sends to resume (the last {@code id} it received). */
  static final String LAST_EVENT_ID = "Last-Event-ID";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegionService service;
  private final WatchLimits limits;
  private final HttpApiConfig config;
  private final BiConsumer<RoutingContext, ApiException> sendError;
  private final AtomicInteger open = new AtomicInteger();

  WatchStream(
      RegionService service,
      WatchLimits limits,
      HttpApiConfig config,
      BiConsumer<RoutingContext, ApiException> sendError) {
    this.service = service;
    this.limits = limits;
    this.config = config;
    this.sendError = sendError;
  }

  /**
   * Checks the request, then opens the stream; a client error is thrown before anything is sent.
   */
  void handle(RoutingContext ctx, String bucket, RequestContext context) {
    List<String> raw = ctx.request().params().getAll("key");
    if (raw.isEmpty() || raw.size() > limits.keysPerStreamMax()) {
      throw ApiException.badRequest(
          "a watch names 1 to " + limits.keysPerStreamMax() + " keys (?key=K&key=...)");
    }
    Set<String> keys = new LinkedHashSet<>();
    for (String key : raw) {
      keys.add(ObjectNames.checkName(key, "key", config.nameBytesMax()));
    }
    SessionToken since = since(ctx.request().headers().getAll(LAST_EVENT_ID));
    if (open.incrementAndGet() > limits.streamsMax()) {
      open.decrementAndGet();
      throw ApiException.unavailable(
          ErrorCode.OVERLOADED,
          "more than " + limits.streamsMax() + " watch streams are open",
          ApiException.RETRY_AFTER_SECONDS_DEFAULT);
    }
    Stream stream = new Stream(ctx);
    service.watch(context, bucket, List.copyOf(keys), since, stream).onComplete(stream::started);
  }

  private SessionToken since(List<String> ids) {
    if (ids.size() > 1) {
      throw ApiException.badRequest(LAST_EVENT_ID + " appears more than once");
    }
    if (ids.isEmpty() || ids.get(0).isEmpty()) {
      return null;
    }
    try {
      return SessionTokenCodec.decode(ids.get(0), config.sessionTokenCharactersMax());
    } catch (DecodeException e) {
      throw ApiException.badRequest(
          LAST_EVENT_ID + " is not a token of this API: " + e.getMessage());
    }
  }

  /** Streams open now. */
  int open() {
    return open.get();
  }

  /** One open stream; its writes happen on the request's context. */
  private final class Stream implements ChangeListener {
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final Context context = Vertx.currentContext();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean released = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final ArrayDeque<Runnable> beforeStart = new ArrayDeque<>();
    private volatile boolean closing;
    private volatile Runnable stop;
    private boolean started;
    private long heartbeat = -1;

    Stream(RoutingContext ctx) {
      this.ctx = ctx;
      this.response = ctx.response();
      // Not response.closeHandler: that would replace the router's, which frees the in-flight
      // place; end handlers run when the response ends or the connection closes.
      ctx.addEndHandler(ended -> release());
    }

    @Override
    public boolean offer(Supplier<List<JsonNode>> objects, SessionToken after) {
      if (closing) {
        return false;
      }
      if (queued.incrementAndGet() > limits.groupsQueuedMax()) {
        closing = true;
        context.runOnContext(
            v ->
                overflow(
                    "the reader fell behind by more than "
                        + limits.groupsQueuedMax()
                        + " groups of changes"));
        return false;
      }
      context.runOnContext(
          v -> {
            queued.decrementAndGet();
            Runnable write = () -> write(objects.get(), after, null);
            if (started) {
              write.run();
            } else {
              beforeStart.add(write);
            }
          });
      return true;
    }

    void started(AsyncResult<WatchStart> result) {
      if (result.failed()) {
        release();
        if (result.cause() instanceof ApiException e) {
          sendError.accept(ctx, e);
        } else {
          sendError.accept(ctx, ApiException.of(ErrorCode.INTERNAL, "internal error"));
        }
        return;
      }
      WatchStart start = result.result();
      stop = start.stop();
      if (closing || response.closed() || response.ended()) {
        release();
        return;
      }
      response
          .setStatusCode(200)
          .putHeader("Content-Type", "text/event-stream; charset=utf-8")
          .putHeader("Cache-Control", "no-cache")
          .setChunked(true)
          .setWriteQueueMaxSize(limits.writeQueueBytesMax());
      started = true;
      heartbeat =
          context.owner().setPeriodic(limits.heartbeatMillis(), timer -> write(": keep-alive\n\n"));
      write(start.objects(), start.token(), "ready");
      while (!beforeStart.isEmpty()) {
        beforeStart.poll().run();
      }
    }

    /**
     * One group: a change event per object, the last (or a marker event such as {@code ready}) with
     * the id.
     */
    private void write(List<JsonNode> objects, SessionToken after, String markerEvent) {
      if (closing || response.ended() || response.closed()) {
        return;
      }
      StringBuilder text = new StringBuilder();
      String id = SessionTokenCodec.encode(after);
      for (int i = 0; i < objects.size(); i++) {
        text.append("event: change\n");
        if (markerEvent == null && i == objects.size() - 1) {
          text.append("id: ").append(id).append('\n');
        }
        text.append("data: ").append(json(objects.get(i))).append("\n\n");
      }
      if (markerEvent != null) {
        text.append("event: ")
            .append(markerEvent)
            .append("\nid: ")
            .append(id)
            .append("\ndata: {}\n\n");
      }
      write(text.toString());
    }

    private void write(String text) {
      if (closing || response.ended() || response.closed()) {
        return;
      }
      response.write(Buffer.buffer(text.getBytes(StandardCharsets.UTF_8)));
      if (response.writeQueueFull()) {
        overflow("the reader fell behind by more than " + limits.writeQueueBytesMax() + " bytes");
      }
    }

    private void overflow(String message) {
      closing = true;
      if (!response.ended() && !response.closed()) {
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error
            .putObject("error")
            .put("code", ErrorCode.OVERLOADED.wireName())
            .put("message", message);
        response.end(
            Buffer.buffer(
                ("event: overflow\ndata: " + json(error) + "\n\n")
                    .getBytes(StandardCharsets.UTF_8)));
      }
      release();
    }

    /** Once per stream: stops the watch and frees its place. */
    private void release() {
      closing = true;
      if (heartbeat >= 0) {
        context.owner().cancelTimer(heartbeat);
      }
      Runnable stopNow = stop;
      if (stopNow != null && stopped.compareAndSet(false, true)) {
        stopNow.run();
      }
      if (released.compareAndSet(false, true)) {
        open.decrementAndGet();
      }
    }
  }

  private static String json(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree that cannot be written: " + e, e);
    }
  }
}
