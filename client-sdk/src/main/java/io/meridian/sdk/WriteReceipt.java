package io.meridian.sdk;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What became of an update (or a batch), stage by stage, so "did my write get through" always has
 * an answer (Firestore's write promises that never resolve offline, firebase-js-sdk#6515, and
 * pending counts that were wrong, couchbase-lite-android#1737, are what it answers):
 *
 * <ol>
 *   <li>{@link #durableLocally()}: in the offline directory's queue, synced to disk; it will be
 *       sent, exactly once, even after a crash (offline clients only);
 *   <li>{@link #accepted()}: a region applied it and made it durable; completes with the region's
 *       name;
 *   <li>{@link #visibleEverywhere()}: every configured region has applied it (from their applied
 *       vectors, {@code GET /v1/status}).
 * </ol>
 *
 * A stage's future fails only when the update is rejected (a typed {@link MeridianException}) or
 * the client closes first.
 */
public final class WriteReceipt {
  private final long sequence;
  private final List<String> operationIds;
  private final boolean durableLocally;
  private final CompletableFuture<String> accepted = new CompletableFuture<>();
  private final CompletableFuture<Void> visibleEverywhere = new CompletableFuture<>();

  WriteReceipt(long sequence, List<String> operationIds, boolean durableLocally) {
    this.sequence = sequence;
    this.operationIds = List.copyOf(operationIds);
    this.durableLocally = durableLocally;
  }

  /** The client's sequence number of the (first) update: updates leave in this order. */
  public long sequence() {
    return sequence;
  }

  /** The operation id each update carries, in order; a region applies each at most once. */
  public List<String> operationIds() {
    return operationIds;
  }

  /** Whether the update was in the offline directory's queue on disk when this was returned. */
  public boolean durableLocally() {
    return durableLocally;
  }

  /** Completes with the name of the region that accepted the update. */
  public CompletableFuture<String> accepted() {
    return accepted;
  }

  /** Completes once every configured region has applied the update. */
  public CompletableFuture<Void> visibleEverywhere() {
    return visibleEverywhere;
  }

  CompletableFuture<String> acceptedStage() {
    return accepted;
  }

  CompletableFuture<Void> visibleStage() {
    return visibleEverywhere;
  }

  @Override
  public String toString() {
    return "WriteReceipt{" + operationIds + ", accepted=" + accepted.getNow(null) + "}";
  }
}
