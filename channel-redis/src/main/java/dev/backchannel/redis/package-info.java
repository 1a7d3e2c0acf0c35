/**
 * A relay {@link dev.backchannel.netty.relay.store.MailboxStore} on Redis Cluster, shared by
 * several relay nodes: {@link dev.backchannel.redis.RedisMailboxStore}, configured by
 * {@link dev.backchannel.redis.RedisStoreConfig}. Public for relay operators; no Lettuce or Netty
 * type appears in a public signature.
 */
package dev.backchannel.redis;
