package dev.backchannel.redis;

import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.MailboxStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link RedisMailboxStore} passes the store contract on a real three-master cluster. Each test's
 * directory names its own key prefix, so tests share the cluster without seeing each other's
 * counters, and reopening the same directory reopens the same store.
 */
class RedisMailboxStoreContractTest extends MailboxStoreContract {
  /**
   * Starts the cluster and loads the client's classes before the first test, so that the per-test
   * hygiene check (threads, descriptors) does not count the cluster's start or opened jars.
   */
  @BeforeAll
  static void warmUp() throws Exception {
    RedisMailboxStore.open(RedisClusterHarness.shared().config("warmup").build()).close();
  }

  @Override
  protected MailboxStore open(Path directory) throws Exception {
    String name = directory.getFileName().toString().replaceAll("[^A-Za-z0-9_.-]", "");
    String prefix = "t" + (name.length() > 30 ? name.substring(name.length() - 30) : name);
    return RedisMailboxStore.open(RedisClusterHarness.shared().config(prefix).build());
  }
}
