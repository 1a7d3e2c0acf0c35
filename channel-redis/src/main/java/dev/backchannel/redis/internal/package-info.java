/**
 * Not API: the parts of {@link dev.backchannel.redis.RedisMailboxStore} (key names, Lua scripts,
 * value encodings, the store-wide byte counter, the expiry index, sharded notices). May change in
 * any release.
 */
package dev.backchannel.redis.internal;
