package dev.backchannel.netty.relay;

import dev.backchannel.netty.relay.store.MailboxStore;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.ExecutorService;

/**
 * What every connection of one relay shares: configuration, store, store executor (bounded),
 * channel group, counters, subscriptions, the mailbox-record cache and per-address accounting.
 */
record RelayServices(
    RelayConfig config,
    MailboxStore store,
    ExecutorService storeExecutor,
    ChannelGroup channels,
    RelayCounters counters,
    Subscriptions subscriptions,
    MailboxRecords records,
    AddressLimits addresses) {}
