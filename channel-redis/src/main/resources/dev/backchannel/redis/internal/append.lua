-- Appends one envelope to a mailbox in one atomic step (docs/PROTOCOL.md, "Relay storage on
-- Redis Cluster"). KEYS: mb, q, ids, tomb, exp (one mailbox, one hash tag).
-- ARGV: 1 message id, 2 envelope value (u8 len(mid) || mid || u64 expires_at_ms || body),
-- 3 body length, 4 expires_at_ms or '' (never expires), 5 now_ms, 6 max envelopes,
-- 7 max bytes, 8 max store bytes, 9 store bytes as the caller knows them, 10 '1' to check the
-- lock, 11 proven sender key or '', 12 notice channel, 13 notice message.
-- Returns {0, seq, duplicate 0|1, bytes added} | {1} no such mailbox | {2} locked
--   | {3, envelopes, bytes} quota | {4} storage full.
local mb, q, ids, tomb, exp = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local rec = redis.call('HMGET', mb, 'owner', 'sender', 'n', 'bytes')
if not rec[1] then
  return {1}
end
if ARGV[10] == '1' and rec[2] and rec[2] ~= ARGV[11] then
  return {2}
end
local mid = ARGV[1]
local seq = redis.call('HGET', ids, mid)
if seq then
  return {0, tonumber(seq), 1, 0}
end
local t = redis.call('HGET', tomb, mid)
if t then
  local sep = string.find(t, ':', 1, true)
  if tonumber(string.sub(t, 1, sep - 1)) > tonumber(ARGV[5]) then
    return {0, tonumber(string.sub(t, sep + 1)), 1, 0}
  end
end
local n = tonumber(rec[3] or '0')
local bytes = tonumber(rec[4] or '0')
local len = tonumber(ARGV[3])
if n + 1 > tonumber(ARGV[6]) or bytes + len > tonumber(ARGV[7]) then
  return {3, n, bytes}
end
if tonumber(ARGV[9]) + len > tonumber(ARGV[8]) then
  return {4}
end
local s = redis.call('HINCRBY', mb, 'next', 1)
redis.call('HINCRBY', mb, 'n', 1)
redis.call('HINCRBY', mb, 'bytes', ARGV[3])
local key = string.format('%d', s)
redis.call('ZADD', q, key, key .. ':' .. ARGV[2])
redis.call('HSET', ids, mid, key)
if ARGV[4] ~= '' then
  redis.call('ZADD', exp, ARGV[4], 'e' .. key)
end
redis.call('SPUBLISH', ARGV[12], ARGV[13])
return {0, s, 0, len}
