package io.meridian.server.auth;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SIGHUP, delivered to every registered listener (each region's token store). Uses {@code
 * sun.misc.Signal} (module {@code jdk.unsupported}, present in every JDK): the JVM's own HUP
 * handler would start a shutdown. The TLS material of the regions listens too ({@code
 * io.meridian.server.tls.TlsMaterial}). Where the signal cannot be handled (not a POSIX platform),
 * the file's change is still seen within 5 seconds.
 */
public final class HangupSignal {
  private static final Logger LOG = Logger.getLogger(HangupSignal.class.getName());
  private static final List<Runnable> LISTENERS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  private HangupSignal() {}

  /** Runs {@code listener} on every SIGHUP until {@link #remove}d. */
  public static synchronized void add(Runnable listener) {
    LISTENERS.add(listener);
    if (!installed) {
      installed = true;
      try {
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> deliver());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        LOG.warning(
            "SIGHUP cannot be handled here (" + e.getMessage() + "): reload on change only");
      }
    }
  }

  /** Stops running {@code listener}. */
  public static void remove(Runnable listener) {
    LISTENERS.remove(listener);
  }

  /** What a SIGHUP does: every listener, one failure not stopping the others. */
  static void deliver() {
    for (Runnable listener : LISTENERS) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a SIGHUP listener failed", e);
      }
    }
  }
}
