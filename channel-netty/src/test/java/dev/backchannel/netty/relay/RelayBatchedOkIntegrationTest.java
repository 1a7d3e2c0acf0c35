package dev.backchannel.netty.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.Send;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched {@code Ok} replies on a real relay over TLS, seen by a raw client: every send that set
 * {@code batch_ok} is answered exactly once, many in one frame, never more than 256 per frame; a
 * send without it is answered by a frame of its own, as older clients expect.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayBatchedOkIntegrationTest {
  @TempDir Path dir;
  private final RelayTestSupport.Opened opened = new RelayTestSupport.Opened();

  @AfterEach
  void closeAll() throws Exception {
    opened.close();
  }

  private static byte[] send(long rid, byte[] mailbox, boolean batchOk) {
    return Frame.newBuilder().setRequestId(rid).setSend(Send.newBuilder()
        .setMailboxId(ByteString.copyFrom(mailbox))
        .setMessageId(ByteString.copyFrom(RelayTestSupport.random(16)))
        .setBody(ByteString.copyFrom(new byte[64])).setBatchOk(batchOk)).build().toByteArray();
  }

  private static void write(DataOutputStream out, byte[] frame) throws Exception {
    out.writeInt(frame.length);
    out.write(frame);
  }

  @Test
  void sendsThatAcceptABatchedOkAreEachAnsweredOnceAndShareFrames() throws Exception {
    RelayServer relay = opened.relay(RelayConfig.builder(dir));
    Box box = new Box().create(opened.link(relay));
    int n = 300;
    try (SSLSocket raw = RelayAbuseIntegrationTest.rawTls(relay)) {
      DataInputStream in = new DataInputStream(raw.getInputStream());
      DataOutputStream out = new DataOutputStream(raw.getOutputStream());
      assertThat(RelayAbuseIntegrationTest.readFrame(in).hasHello()).isTrue();
      for (int i = 0; i < n; i++) {
        write(out, send(100 + i, box.id, true));
      }
      out.flush();
      Map<Long, Integer> answers = new HashMap<>();
      int frames = 0;
      while (answers.size() < n) {
        Frame f = RelayAbuseIntegrationTest.readFrame(in);
        assertThat(f.hasOk()).as("reply %s", f).isTrue();
        assertThat(1 + f.getOk().getMoreRequestIdsCount()).isLessThanOrEqualTo(256);
        frames++;
        answers.merge(f.getRequestId(), 1, Integer::sum);
        f.getOk().getMoreRequestIdsList().forEach(more -> answers.merge(more, 1, Integer::sum));
      }
      assertThat(answers).hasSize(n).allSatisfy((rid, times) -> {
        assertThat(rid).isBetween(100L, 100L + n - 1);
        assertThat(times).as("answers to request %d", rid).isEqualTo(1);
      });
      assertThat(frames).as("Ok frames for %d sends", n).isLessThan(n / 2);

      write(out, send(1000, box.id, false));
      write(out, send(1001, box.id, false));
      out.flush();
      List<Frame> own = new ArrayList<>();
      own.add(RelayAbuseIntegrationTest.readFrame(in));
      own.add(RelayAbuseIntegrationTest.readFrame(in));
      assertThat(own).extracting(Frame::getRequestId).containsExactlyInAnyOrder(1000L, 1001L);
      assertThat(own).allSatisfy(f -> assertThat(f.getOk().getMoreRequestIdsCount()).isZero());
    }
  }
}
