package dev.backchannel.netty.relay;

import static dev.backchannel.netty.relay.RelayTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.ForwardingMailboxStore;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.client.InMemoryOutbox;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checklist 36: when the store cannot make an envelope durable (disk full, fsync failure), the
 * relay does not acknowledge it: the client gets a typed, retryable error, the envelope stays in
 * its outbox, and it goes out once the store works again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StorageFailureIntegrationTest {
  @TempDir Path dir;

  /** A store whose durable writes fail while {@code failing} is set, as on a full disk. */
  static final class FailingStore extends ForwardingMailboxStore {
    volatile boolean failing;

    FailingStore(MailboxStore real) {
      super(real);
    }

    private static CompletableFuture<Appended> failed() {
      return CompletableFuture.failedFuture(new StateStoreException("No space left on device (simulated)"));
    }

    @Override
    public CompletableFuture<Appended> append(byte[] mailboxId, byte[] messageId, byte[] body,
        long expiresAtMillis, long maxEnvelopes, long maxBytes) {
      return failing ? failed() : super.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
    }

    @Override
    public CompletableFuture<Appended> appendChecked(byte[] mailboxId, byte[] messageId, byte[] body,
        long expiresAtMillis, AppendLimits limits, byte[] provenSenderKey) {
      return failing ? failed()
          : super.appendChecked(mailboxId, messageId, body, expiresAtMillis, limits, provenSenderKey);
    }
  }

  @Test
  void failedDurabilityIsNeverAcknowledged() throws Exception {
    FailingStore store = new FailingStore(new RocksDbMailboxStore(dir.resolve("store")));
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir).port(0).mailboxStore(store).build());
        RelayLink owner = RelayTestSupport.link(relay.address())) {
      InMemoryOutbox outbox = new InMemoryOutbox();
      try (RelayLink sender = RelayLink.builder(relay.address()).outbox(outbox)
          .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100)).build()) {
        sender.awaitConnected(Duration.ofSeconds(20));
        Box box = new Box().create(owner).subscribe(owner);
        store.failing = true;
        byte[] mid = random(16);
        // The relay answers UNAVAILABLE (retryable): the send stays pending, in the outbox, and is
        // retried in the background; nothing is acknowledged or delivered meanwhile.
        java.util.concurrent.CompletableFuture<Void> send = sender.send(box.id, mid, "must not be lost".getBytes());
        assertThatThrownBy(() -> send.get(1500, TimeUnit.MILLISECONDS))
            .isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(outbox.pending()).hasSize(1);
        assertThat(relay.counters().stored()).isZero();
        assertThat(box.received.poll(300, TimeUnit.MILLISECONDS)).isNull();

        // The disk is back: the next background retry stores it, without any reconnect.
        store.failing = false;
        send.get(30, TimeUnit.SECONDS);
        assertThat(new String(box.next().body())).isEqualTo("must not be lost");
        for (int i = 0; i < 100 && !outbox.pending().isEmpty(); i++) {
          Thread.sleep(50);
        }
        assertThat(outbox.pending()).isEmpty();
      }
    }
  }
}
