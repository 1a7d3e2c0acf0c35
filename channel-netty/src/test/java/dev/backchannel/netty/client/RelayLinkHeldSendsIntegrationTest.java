package dev.backchannel.netty.client;

import static dev.backchannel.netty.relay.RelayTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import dev.backchannel.netty.relay.store.ForwardingMailboxStore;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StoreRefusedException;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Sends a relay refuses for a while are retried in order, whatever arrives during a retry. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayLinkHeldSendsIntegrationTest {
  @TempDir Path dir;

  /**
   * Refuses the first append (storage full), holds the second (the retry) until the test answers
   * it, and stores every later one.
   */
  private static final class GatedStore extends ForwardingMailboxStore {
    final AtomicInteger appends = new AtomicInteger();
    final BlockingQueue<CompletableFuture<Appended>> heldRetries = new LinkedBlockingQueue<>();

    GatedStore(MailboxStore real) {
      super(real);
    }

    @Override
    public CompletableFuture<Appended> appendChecked(byte[] mailboxId, byte[] messageId, byte[] body,
        long expiresAtMillis, AppendLimits limits, byte[] provenSenderKey) {
      int n = appends.incrementAndGet();
      if (n == 1) {
        return CompletableFuture.failedFuture(full());
      }
      if (n == 2) {
        CompletableFuture<Appended> answer = new CompletableFuture<>();
        heldRetries.add(answer);
        return answer;
      }
      return super.appendChecked(mailboxId, messageId, body, expiresAtMillis, limits, provenSenderKey);
    }

    static StoreRefusedException full() {
      return new StoreRefusedException(StoreRefusedException.Reason.STORAGE_FULL, "relay storage is full");
    }
  }

  @Test
  void aSendMadeWhileARefusedOneIsRetriedWaitsBehindItAndBothPassOnceTheRelayAcceptsAgain()
      throws Exception {
    GatedStore store = new GatedStore(new RocksDbMailboxStore(dir.resolve("store")));
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0)
            .mailboxStore(store).build());
        RelayLink owner = RelayLinkAdmissionIntegrationTest.link(relay, null);
        RelayLink sender = RelayLinkAdmissionIntegrationTest.link(relay, null)) {
      Box box = new Box().create(owner).subscribe(owner);
      CompletableFuture<Void> first = sender.send(box.id, random(16), new byte[] {1});
      CompletableFuture<MailboxStore.Appended> retry = store.heldRetries.poll(20, TimeUnit.SECONDS);
      assertThat(retry).as("the refused send is retried").isNotNull();

      CompletableFuture<Void> second = sender.send(box.id, random(16), new byte[] {2});
      Thread.sleep(300); // the second is on the link's loop by now, waiting behind the retry
      assertThat(store.appends).as("the second waits behind the first").hasValue(2);
      retry.completeExceptionally(GatedStore.full()); // the retry is refused too

      CompletableFuture.allOf(first, second).get(30, TimeUnit.SECONDS);
      assertThat(box.next().body()).containsExactly(1);
      assertThat(box.next().body()).containsExactly(2);
    }
  }
}
