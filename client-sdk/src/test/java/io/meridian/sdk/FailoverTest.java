package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Failover between three real regions: the session goes along, a lost answer retried elsewhere
 * counts once, a read never breaks the session's guarantees while the region that has its writes is
 * cut off, and the client goes home once home answers again.
 */
class FailoverTest extends ProxiedRegions {

  private Meridian.Builder throughProxies() {
    return LocalRegions.builderThrough(proxies);
  }

  /** Reads the counter at every region directly until all show {@code expected}, or fails. */
  private void awaitEverywhere(String key, long expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    List<Long> values = new ArrayList<>();
    while (System.currentTimeMillis() < deadline) {
      values.clear();
      for (int i = 0; i < regions.size(); i++) {
        try (Meridian direct =
            Meridian.builder()
                .region(LocalRegions.NAMES.get(i), regions.url(i))
                .guarantees(java.util.Set.of())
                .build()) {
          values.add(direct.counter("b", key).value());
        }
      }
      if (values.stream().allMatch(value -> value == expected)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(key + " did not reach " + expected + " everywhere: " + values);
  }

  @Test
  void failoverCarriesTheSessionAndTheClientReturnsHome() throws Exception {
    try (Meridian client = throughProxies().build()) {
      Counter counter = client.counter("b", "home");
      assertThat(counter.increment(1).accepted().join()).isEqualTo("r1");
      proxies.get(0).mode(FaultProxy.Mode.DOWN);
      WriteReceipt away = counter.increment(1);
      assertThat(away.accepted().join()).isNotEqualTo("r1");
      assertThat(counter.value()).isEqualTo(2);
      assertThat(client.syncStatus().regions().get("r1").reachable()).isFalse();

      proxies.get(0).mode(FaultProxy.Mode.FORWARD);
      String acceptedBy = "";
      long deadline = System.currentTimeMillis() + 20_000;
      int written = 2;
      while (!acceptedBy.equals("r1") && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
        acceptedBy = counter.increment(1).accepted().join();
        written++;
      }
      assertThat(acceptedBy).isEqualTo("r1");
      assertThat(counter.value()).isEqualTo(written);
    }
  }

  @Test
  void anUpdateWhoseAnswerWasLostAndThatWasRetriedElsewhereCountsOnce() throws Exception {
    // No status polls: the lost answer must be the update's, not a poll's that pauses r1 first.
    try (Meridian client = throughProxies().visibilityPoll(Duration.ofHours(1)).build()) {
      Counter counter = client.counter("b", "once");
      counter.increment(1);
      proxies.get(0).mode(FaultProxy.Mode.LOSE_ANSWER);
      WriteReceipt retried = counter.increment(10);
      assertThat(proxies.get(0).lostUpdateAnswers.get()).isGreaterThanOrEqualTo(1);
      assertThat(retried.accepted().join()).isNotEqualTo("r1");
      proxies.get(0).mode(FaultProxy.Mode.FORWARD);
      counter.increment(100);
      awaitEverywhere("once", 111);
    }
  }

  @Test
  void aCoalescedBatchWhoseAnswerWasLostAndThatWasRetriedElsewhereCountsOnce() throws Exception {
    try (Meridian client = throughProxies().visibilityPoll(Duration.ofHours(1)).build()) {
      Counter many = client.counter("b", "coalesced");
      Counter other = client.counter("b", "coalesced-other");
      many.increment(1);
      List<Update> batch = new ArrayList<>();
      for (int i = 0; i < 999; i++) {
        batch.add(many.incrementUpdate(1));
      }
      batch.add(other.incrementUpdate(5));
      proxies.get(0).mode(FaultProxy.Mode.LOSE_ANSWER);
      WriteReceipt retried = client.batchAsync(batch).join();
      assertThat(proxies.get(0).lostUpdateAnswers.get()).isGreaterThanOrEqualTo(1);
      assertThat(retried.accepted().join()).isNotEqualTo("r1");
      proxies.get(0).mode(FaultProxy.Mode.FORWARD);
      other.increment(10);
      awaitEverywhere("coalesced", 1_000);
      awaitEverywhere("coalesced-other", 15);
    }
  }

  @Test
  void aReadIsUnavailableRatherThanStaleWhileTheRegionsWithTheWritesAreDown() throws Exception {
    regions.stop(1);
    regions.stop(2);
    try (Meridian client =
        regions
            .builder()
            .requestTimeout(Duration.ofSeconds(3))
            .sessionWait(Duration.ofMillis(300))
            .build()) {
      Counter counter = client.counter("b", "session");
      counter.increment(7);
      regions.stop(0);
      regions.start(1);
      regions.start(2);
      // r2 and r3 never saw the increment: serving the read there would break read-your-writes.
      assertThatThrownBy(counter::value).isInstanceOf(MeridianException.Unavailable.class);
      regions.start(0);
      long deadline = System.currentTimeMillis() + 30_000;
      Long value = null;
      while (value == null && System.currentTimeMillis() < deadline) {
        try {
          value = counter.value();
        } catch (MeridianException.Unavailable e) {
          Thread.sleep(100);
        }
      }
      assertThat(value).isEqualTo(7);
    }
  }

  @Test
  void everyCallTriesEachRegionAtMostOnceWhenAllAreDown() {
    proxies.forEach(proxy -> proxy.mode(FaultProxy.Mode.DOWN));
    int calls = 20;
    try (Meridian client = throughProxies().requestTimeout(Duration.ofSeconds(2)).build()) {
      for (int i = 0; i < calls; i++) {
        assertThatThrownBy(() -> client.counter("b", "down").value())
            .isInstanceOf(MeridianException.Unavailable.class);
      }
    }
    for (FaultProxy proxy : proxies) {
      assertThat(proxy.requests.get()).isBetween(1, calls);
    }
  }
}
