package io.meridian.server.transport;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.logging.Logger;

/**
 * The Vert.x instance a region process runs on: Netty's native epoll transport where it loads
 * (Vert.x's {@code preferNativeTransport}), NIO otherwise, with the outcome logged once at start.
 */
public final class NativeTransport {
  private static final Logger LOG = Logger.getLogger(NativeTransport.class.getName());

  private NativeTransport() {}

  /** Vert.x options that prefer the native transport. */
  public static VertxOptions options() {
    return new VertxOptions().setPreferNativeTransport(true);
  }

  /** A new Vert.x on the native transport where it loads; logs which transport it got. */
  public static Vertx vertx() {
    Vertx vertx = Vertx.vertx(options());
    LOG.info(describe(vertx));
    return vertx;
  }

  /** Which transport {@code vertx} runs on, and why not the native one when it does not. */
  public static String describe(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      return "Vert.x on the native transport (epoll)";
    }
    Throwable cause = vertx.unavailableNativeTransportCause();
    return "Vert.x on NIO; the native transport is not available"
        + (cause == null ? "" : ": " + cause);
  }
}
