package dev.backchannel.benchmarks.peer;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.client.RelayLink;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The relay alone, as the peers use it: one sender link and one receiver link, a mailbox locked
 * to the sender, {@code window} envelopes in flight, each delivered and acknowledged.
 */
final class RelayOnlyBaseline {
  private RelayOnlyBaseline() {}

  static double messagesPerSecond(RelayAddress address, int messages, int size, int window) throws Exception {
    ExecutorService callbacks = Executors.newFixedThreadPool(2);
    try (RelayLink rx = RelayLink.builder(address).callbackExecutor(callbacks)
            .deliveryExecutor(Runnable::run).build(); // as the Peer runtime's links deliver
        RelayLink tx = RelayLink.builder(address).callbackExecutor(callbacks).build();
        SecretBytes owner = Ed25519.generatePrivateKey();
        SecretBytes sender = Ed25519.generatePrivateKey()) {
      byte[] mailbox = random(32);
      rx.createMailbox(mailbox, owner).get(30, TimeUnit.SECONDS);
      rx.lock(mailbox, owner, Ed25519.publicKey(sender)).get(30, TimeUnit.SECONDS);
      tx.useSenderKey(mailbox, sender);
      Semaphore w = new Semaphore(window);
      CountDownLatch done = new CountDownLatch(messages);
      rx.subscribe(mailbox, owner, d -> {
        rx.acknowledge(mailbox, List.of(d.messageId()));
        w.release();
        done.countDown();
      }).get(30, TimeUnit.SECONDS);
      long start = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        w.acquire();
        tx.send(mailbox, random(16), new byte[size]);
      }
      if (!done.await(300, TimeUnit.SECONDS)) {
        throw new IllegalStateException("relay baseline did not finish");
      }
      return messages / ((System.nanoTime() - start) / 1e9);
    } finally {
      callbacks.shutdownNow();
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }
}
