package dev.backchannel.netty.relay;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the relay integration tests. */
public final class RelayTestSupport {
  private static final SecureRandom RANDOM = new SecureRandom();

  private RelayTestSupport() {}

  public static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  public static RelayLink link(RelayAddress address) throws Exception {
    RelayLink link = RelayLink.builder(address)
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300))
        .requestTimeout(Duration.ofSeconds(20))
        .build();
    link.awaitConnected(Duration.ofSeconds(20));
    return link;
  }

  /** A mailbox with its owner key and a queue of what was delivered to it. */
  public static final class Box {
    public final byte[] id = random(32);
    public final SecretBytes owner = Ed25519.generatePrivateKey();
    public final BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();

    public Box create(RelayLink link) throws Exception {
      link.createMailbox(id, owner).get(20, TimeUnit.SECONDS);
      return this;
    }

    public Box subscribe(RelayLink link) throws Exception {
      link.subscribe(id, owner, received::add).get(20, TimeUnit.SECONDS);
      return this;
    }

    public Delivery next() throws InterruptedException {
      Delivery d = received.poll(20, TimeUnit.SECONDS);
      if (d == null) {
        throw new AssertionError("nothing delivered within 20 s");
      }
      return d;
    }
  }
}
