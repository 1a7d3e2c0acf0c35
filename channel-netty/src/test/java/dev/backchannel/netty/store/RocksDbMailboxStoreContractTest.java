package dev.backchannel.netty.store;

import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.MailboxStoreContract;
import java.nio.file.Path;

/** {@link RocksDbMailboxStore} passes the store contract. */
class RocksDbMailboxStoreContractTest extends MailboxStoreContract {
  @Override
  protected MailboxStore open(Path directory) throws Exception {
    return new RocksDbMailboxStore(directory);
  }
}
