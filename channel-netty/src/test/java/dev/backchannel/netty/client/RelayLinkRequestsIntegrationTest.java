package dev.backchannel.netty.client;

import static dev.backchannel.netty.relay.RelayTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import dev.backchannel.netty.relay.store.ForwardingMailboxStore;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a link's requests reach the relay: request timeouts, acknowledgements batched into few
 * frames, links sharing one event loop group, and where delivery listeners run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayLinkRequestsIntegrationTest {
  @TempDir Path dir;

  /** A store that counts acknowledgement frames and can hold invitation fetches unanswered. */
  private static final class WatchedStore extends ForwardingMailboxStore {
    final AtomicInteger ackFrames = new AtomicInteger();
    final CountDownLatch releaseFetches = new CountDownLatch(1);

    WatchedStore(MailboxStore real) {
      super(real);
    }

    @Override
    public CompletableFuture<Integer> removeAll(byte[] mailboxId, List<byte[]> messageIds, long tombstoneUntilMillis) {
      ackFrames.incrementAndGet();
      return super.removeAll(mailboxId, messageIds, tombstoneUntilMillis);
    }

    @Override
    public Optional<byte[]> fetchInvitation(byte[] invitationId, long nowMillis) throws StateStoreException {
      try {
        releaseFetches.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return super.fetchInvitation(invitationId, nowMillis);
    }
  }

  private RelayServer relay(WatchedStore store) throws Exception {
    return RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).mailboxStore(store).build());
  }

  @Test
  void aRequestTheRelayNeverAnswersTimesOutAndTheLinkGoesOn() throws Exception {
    WatchedStore store = new WatchedStore(new RocksDbMailboxStore(dir.resolve("store")));
    try (RelayServer relay = relay(store);
        RelayLink link = RelayLink.builder(relay.address()).requestTimeout(Duration.ofMillis(800)).build()) {
      link.awaitConnected(Duration.ofSeconds(20));
      long start = System.nanoTime();
      CompletableFuture<byte[]> fetch = link.fetchInvitation(random(32));
      assertThatThrownBy(() -> fetch.get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(RelayUnavailableException.class).hasMessageContaining("no answer from the relay");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(millis).as("not before its timeout, and within a sweep period after it").isBetween(790L, 5_000L);
      store.releaseFetches.countDown();
      // The timed-out request left nothing behind that stops later requests.
      link.ping().get(20, TimeUnit.SECONDS);
      Box box = new Box().create(link).subscribe(link);
      link.send(box.id, random(16), new byte[] {7}).get(20, TimeUnit.SECONDS);
      assertThat(box.next().body()).containsExactly(7);
    } finally {
      store.releaseFetches.countDown();
    }
  }

  @Test
  void acknowledgementsMadeTogetherGoOutInFewFrames() throws Exception {
    WatchedStore store = new WatchedStore(new RocksDbMailboxStore(dir.resolve("store")));
    int n = 200;
    try (RelayServer relay = relay(store);
        RelayLink owner = RelayLinkAdmissionIntegrationTest.link(relay, null);
        RelayLink sender = RelayLinkAdmissionIntegrationTest.link(relay, null)) {
      Box box = new Box().create(owner).subscribe(owner);
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sent.add(sender.send(box.id, random(16), new byte[] {(byte) i}));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      List<Delivery> delivered = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        delivered.add(box.next());
      }
      int before = store.ackFrames.get();
      for (Delivery d : delivered) {
        owner.acknowledge(box.id, List.of(d.messageId())); // one call each, as listeners make them
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (store.usage(box.id).envelopes() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(store.usage(box.id).envelopes()).as("every envelope acknowledged").isZero();
      assertThat(store.ackFrames.get() - before).as("Ack frames for %d acknowledgements", n).isLessThanOrEqualTo(n / 4);
    }
  }

  @Test
  void linksSharingAGroupEachWorkAndClosingOneLeavesTheOthers() throws Exception {
    WatchedStore store = new WatchedStore(new RocksDbMailboxStore(dir.resolve("store")));
    LinkLoops loops = LinkLoops.create(1);
    RelayAddress address;
    try (RelayServer relay = relay(store)) {
      address = relay.address();
      RelayLink first = RelayLink.builder(relay.address()).loops(loops).build();
      RelayLink second = RelayLink.builder(relay.address()).loops(loops).build();
      try (RelayLink receiver = RelayLinkAdmissionIntegrationTest.link(relay, null)) {
        first.awaitConnected(Duration.ofSeconds(20));
        second.awaitConnected(Duration.ofSeconds(20));
        Box box = new Box().create(receiver).subscribe(receiver);
        first.send(box.id, random(16), new byte[] {1}).get(20, TimeUnit.SECONDS);
        second.send(box.id, random(16), new byte[] {2}).get(20, TimeUnit.SECONDS);
        assertThat(box.next().body()).containsExactly(1);
        assertThat(box.next().body()).containsExactly(2);

        first.close();
        assertThat(loops.isClosed()).as("a link does not close loops it was given").isFalse();
        second.send(box.id, random(16), new byte[] {3}).get(20, TimeUnit.SECONDS);
        assertThat(box.next().body()).containsExactly(3);
        second.close();
      }
    } finally {
      loops.close();
    }
    assertThat(loops.isClosed()).isTrue();
    assertThatThrownBy(() -> RelayLink.builder(address).loops(loops))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> LinkLoops.create(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deliveriesRunWhereTheBuilderSays() throws Exception {
    WatchedStore store = new WatchedStore(new RocksDbMailboxStore(dir.resolve("store")));
    java.util.concurrent.ExecutorService callbacks =
        java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "test-callbacks"));
    try (RelayServer relay = relay(store);
        RelayLink direct = RelayLink.builder(relay.address()).callbackExecutor(callbacks)
            .deliveryExecutor(Runnable::run).build();
        RelayLink handedOff = RelayLink.builder(relay.address()).callbackExecutor(callbacks).build();
        RelayLink sender = RelayLinkAdmissionIntegrationTest.link(relay, null)) {
      Box first = new Box().create(direct);
      Box second = new Box().create(handedOff);
      java.util.concurrent.BlockingQueue<String> threads = new java.util.concurrent.LinkedBlockingQueue<>();
      direct.subscribe(first.id, first.owner, d -> threads.add("direct " + Thread.currentThread().getName()))
          .get(20, TimeUnit.SECONDS);
      handedOff.subscribe(second.id, second.owner, d -> threads.add("handed off " + Thread.currentThread().getName()))
          .get(20, TimeUnit.SECONDS);
      sender.send(first.id, random(16), new byte[] {1}).get(20, TimeUnit.SECONDS);
      assertThat(threads.poll(20, TimeUnit.SECONDS)).as("run on the link's own I/O thread")
          .startsWith("direct backchannel-link-io");
      sender.send(second.id, random(16), new byte[] {2}).get(20, TimeUnit.SECONDS);
      assertThat(threads.poll(20, TimeUnit.SECONDS)).as("by default, on the callback executor")
          .isEqualTo("handed off test-callbacks");
      assertThatThrownBy(() -> RelayLink.builder(relay.address()).deliveryExecutor(null))
          .isInstanceOf(NullPointerException.class);
    } finally {
      callbacks.shutdownNow();
    }
  }
}
