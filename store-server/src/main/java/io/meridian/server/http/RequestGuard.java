package io.meridian.server.http;

import io.vertx.ext.web.RoutingContext;

/**
 * Who may make a request, checked by the router before and after the body is read: {@link
 * #beforeBody} sees the headers (authentication, per-client bounds, routes whose scope the path
 * names), {@link #afterBody} sees the read body (batches and snapshot reads, whose buckets are in
 * it). Each either calls {@code ctx.next()} or fails the context with an {@link ApiException}.
 */
public interface RequestGuard {
  /** Admits every request: the API without authentication or per-client bounds. */
  RequestGuard OPEN = new RequestGuard() {};

  /** Checks a request whose headers have arrived; its body has not been read. */
  default void beforeBody(RoutingContext ctx) {
    ctx.next();
  }

  /** Checks a request whose body has been read (up to the body limit). */
  default void afterBody(RoutingContext ctx) {
    ctx.next();
  }
}
