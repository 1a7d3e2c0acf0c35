package dev.backchannel.netty.relay;

import static dev.backchannel.netty.relay.RelayTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import dev.backchannel.netty.client.InMemoryOutbox;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
  static final class FailingStore implements MailboxStore {
    private final MailboxStore real;
    volatile boolean failing;

    FailingStore(MailboxStore real) {
      this.real = real;
    }

    @Override
    public CompletableFuture<Appended> append(byte[] mailboxId, byte[] messageId, byte[] body,
        long expiresAtMillis, long maxEnvelopes, long maxBytes) {
      if (failing) {
        return CompletableFuture.failedFuture(new StateStoreException("No space left on device (simulated)"));
      }
      return real.append(mailboxId, messageId, body, expiresAtMillis, maxEnvelopes, maxBytes);
    }

    @Override
    public boolean createMailbox(MailboxRecord mailbox) throws StateStoreException {
      return real.createMailbox(mailbox);
    }

    @Override
    public Optional<MailboxRecord> mailbox(byte[] mailboxId) throws StateStoreException {
      return real.mailbox(mailboxId);
    }

    @Override
    public void updateMailbox(MailboxRecord mailbox) throws StateStoreException {
      real.updateMailbox(mailbox);
    }

    @Override
    public void deleteMailbox(byte[] mailboxId) throws StateStoreException {
      real.deleteMailbox(mailboxId);
    }

    @Override
    public List<StoredEnvelope> read(byte[] mailboxId, long fromSequence, int max) throws StateStoreException {
      return real.read(mailboxId, fromSequence, max);
    }

    @Override
    public CompletableFuture<Boolean> remove(byte[] mailboxId, byte[] messageId) {
      return real.remove(mailboxId, messageId);
    }

    @Override
    public Usage usage(byte[] mailboxId) throws StateStoreException {
      return real.usage(mailboxId);
    }

    @Override
    public void putInvitation(byte[] id, byte[] bundle, long expiresAtMillis) throws StateStoreException {
      real.putInvitation(id, bundle, expiresAtMillis);
    }

    @Override
    public Optional<byte[]> fetchInvitation(byte[] id, long nowMillis) throws StateStoreException {
      return real.fetchInvitation(id, nowMillis);
    }

    @Override
    public int expire(long nowMillis) throws StateStoreException {
      return real.expire(nowMillis);
    }

    @Override
    public void close() {
      real.close();
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
