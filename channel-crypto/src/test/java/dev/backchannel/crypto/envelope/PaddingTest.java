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

  /** The byte-at-a-time definition: the payload ends before the last non-zero byte, which is 0x80. */
  private static int referenceEnd(byte[] padded) {
    for (int i = padded.length - 1; i >= 0; i--) {
      if (padded[i] != 0) {
        return padded[i] == (byte) 0x80 ? i : -1;
      }
    }
    return -1;
  }

  /** Random contents, marker positions and lengths (tails of 0..7 bytes): as the definition says. */
  @Test
  void unpadAgreesWithTheByteAtATimeDefinition() throws Exception {
    java.util.Random random = new java.util.Random(7);
    for (int round = 0; round < 20_000; round++) {
      int length = random.nextInt(70);
      byte[] padded = new byte[length];
      int filled = length == 0 ? 0 : random.nextInt(length + 1);
      for (int i = 0; i < filled; i++) {
        padded[i] = (byte) (random.nextInt(4) == 0 ? 0 : random.nextInt(256));
      }
      if (filled > 0 && random.nextBoolean()) {
        padded[filled - 1] = (byte) 0x80;
      }
      int end = referenceEnd(padded);
      if (end < 0) {
        assertThatThrownBy(() -> Padding.unpad(padded)).isInstanceOf(AuthenticationFailedException.class);
      } else {
        assertThat(Padding.unpad(padded)).isEqualTo(java.util.Arrays.copyOf(padded, end));
      }
    }
  }

  @Test
  void limitIsEnforced() throws Exception {
    assertThat(Padding.bucketFor(Padding.MAX_PAYLOAD, 96)).isEqualTo(66560);
    assertThatThrownBy(() -> Padding.bucketFor(Padding.MAX_PAYLOAD + 1, 0))
        .isInstanceOf(QuotaExceededException.class);
  }
}
