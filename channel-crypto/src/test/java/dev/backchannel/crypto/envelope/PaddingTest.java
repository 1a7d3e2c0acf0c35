package dev.backchannel.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.QuotaExceededException;
import org.junit.jupiter.api.Test;

class PaddingTest {
  @Test
  void padThenUnpadIsIdentityForEveryLengthAroundBucketEdges() throws Exception {
    for (int overhead : new int[] {0, 96}) {
      for (int bucket : Padding.BUCKETS) {
        for (int len = bucket - overhead - 3; len <= bucket - overhead + 1; len++) {
          if (len < 0 || len > Padding.MAX_PAYLOAD) {
            continue;
          }
          byte[] payload = new byte[len];
          java.util.Arrays.fill(payload, (byte) 0x80); // payload bytes equal to the marker
          byte[] padded = Padding.pad(payload, overhead);
          assertThat(padded.length + overhead).isEqualTo(Padding.bucketFor(len, overhead));
          assertThat(Padding.unpad(padded)).isEqualTo(payload);
        }
      }
    }
  }

  @Test
  void malformedPaddingIsRejected() {
    assertThatThrownBy(() -> Padding.unpad(new byte[16]))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> Padding.unpad(new byte[] {1, 2, 0x7f, 0}))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> Padding.unpad(new byte[0]))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void limitIsEnforced() throws Exception {
    assertThat(Padding.bucketFor(Padding.MAX_PAYLOAD, 96)).isEqualTo(66560);
    assertThatThrownBy(() -> Padding.bucketFor(Padding.MAX_PAYLOAD + 1, 0))
        .isInstanceOf(QuotaExceededException.class);
  }
}
