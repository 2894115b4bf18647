package io.meridian.sdk;

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
  private final String operationId;
  private final boolean durableLocally;
  private final CompletableFuture<String> accepted = new CompletableFuture<>();
  private final CompletableFuture<Void> visibleEverywhere = new CompletableFuture<>();

  WriteReceipt(long sequence, String operationId, boolean durableLocally) {
    this.sequence = sequence;
    this.operationId = operationId;
    this.durableLocally = durableLocally;
  }

  /**
   * The client's sequence number of the update, or of the whole batch: updates leave in this order,
   * and a region applies the update (every update of the batch) at most once.
   *
   * @return the sequence number
   */
  public long sequence() {
    return sequence;
  }

  /**
   * The update's identity, {@code "<clientId>.<sequence>"}: the client and sequence number a region
   * deduplicates it by (one for a whole batch), for logs and support.
   *
   * @return the operation id
   */
  public String operationId() {
    return operationId;
  }

  /**
   * Whether the update was in the offline directory's queue on disk when this was returned.
   *
   * @return whether the update was durable locally
   */
  public boolean durableLocally() {
    return durableLocally;
  }

  /**
   * Completes with the name of the region that accepted the update.
   *
   * @return completes with the region's name
   */
  public CompletableFuture<String> accepted() {
    return accepted;
  }

  /**
   * Completes once every configured region has applied the update.
   *
   * @return completes once every region applied the update
   */
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
    return "WriteReceipt{" + operationId + ", accepted=" + accepted.getNow(null) + "}";
  }
}
