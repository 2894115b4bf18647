package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.meridian.clocks.DecodeException;
import org.junit.jupiter.api.Test;

class TransferredKeyTest {
  @Test
  void aKeyWithAndWithoutOperationIdsRoundTrips() {
    byte[] state = {1, 2, 3};
    ByteString ids = ByteString.copyFrom(new byte[] {9, 8});
    TransferredKey withIds = TransferredKey.decode(new TransferredKey(state, ids).encode());
    assertThat(withIds.state()).containsExactly(1, 2, 3);
    assertThat(withIds.operationIds()).isEqualTo(ids);
    TransferredKey without = TransferredKey.decode(new TransferredKey(state, null).encode());
    assertThat(without.state()).containsExactly(1, 2, 3);
    assertThat(without.operationIds()).isNull();
  }

  @Test
  void anUnknownVersionOrAShortFormIsADecodeError() {
    byte[] encoded = new TransferredKey(new byte[] {1}, null).encode();
    encoded[0] = 2;
    assertThatThrownBy(() -> TransferredKey.decode(encoded)).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> TransferredKey.decode(new byte[] {1, 0, 0, 0, 9, 1}))
        .isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> TransferredKey.decode(new byte[] {1, 0}))
        .isInstanceOf(DecodeException.class);
  }
}
