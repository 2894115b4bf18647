package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.crdt.CrdtRegistry;
import org.junit.jupiter.api.Test;

/** The wire form of a client's update identity, as the regions read it. */
class OperationIdentityTest {
  private final OperationIdentity identity = new OperationIdentity("device-1_A");

  @Test
  void anUpdateCarriesItsClientAndSequenceAndNoOperationId() {
    ObjectNode body =
        JsonNodeFactory.instance
            .objectNode()
            .put("type", "pn-counter")
            .put("op", "increment")
            .put("by", 1);
    identity.stamp(body, 7);
    assertThat(body.get("client").asText()).isEqualTo("device-1_A");
    assertThat(body.get("seq").isIntegralNumber()).isTrue();
    assertThat(body.get("seq").asLong()).isEqualTo(7);
    assertThat(body.has("id")).isFalse();
    assertThat(CrdtRegistry.parseClientSequence(body)).isNotNull();
  }

  @Test
  void sequencesOutsideTheApiRangeAreRefused() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    assertThatThrownBy(() -> identity.stamp(body, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> identity.stamp(body, OperationIdentity.SEQ_MAX + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(identity.stamp(body, OperationIdentity.SEQ_MAX).get("seq").asLong())
        .isEqualTo(1L << 53);
  }

  @Test
  void clientIdsAreTheApiCharacters() {
    assertThat(OperationIdentity.newClientId()).matches("[A-Za-z0-9_-]{22}");
    assertThatThrownBy(() -> new OperationIdentity("a.b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OperationIdentity(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OperationIdentity("x".repeat(65)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(identity.display(3)).isEqualTo("device-1_A.3");
  }
}
