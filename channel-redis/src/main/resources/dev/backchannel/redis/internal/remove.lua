-- Removes envelopes by message id in one atomic step. KEYS: mb, q, ids, tomb, exp.
-- ARGV: 1 tombstone until_ms ('0': no tombstone), 2.. message ids.
-- Returns {removed count, bytes added (zero or negative)}.
local mb, q, ids, tomb, exp = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local untilMs = ARGV[1]
local removed, freed = 0, 0
for i = 2, #ARGV do
  local mid = ARGV[i]
  local seq = redis.call('HGET', ids, mid)
  if seq then
    local m = redis.call('ZRANGEBYSCORE', q, seq, seq)[1]
    if m then
      local p = string.find(m, ':', 1, true)
      local len = #m - p - 1 - string.byte(m, p + 1) - 8
      redis.call('ZREMRANGEBYSCORE', q, seq, seq)
      redis.call('HINCRBY', mb, 'n', -1)
      redis.call('HINCRBY', mb, 'bytes', -len)
      freed = freed + len
    end
    redis.call('HDEL', ids, mid)
    redis.call('ZREM', exp, 'e' .. seq)
    if untilMs ~= '0' then
      redis.call('HSET', tomb, mid, untilMs .. ':' .. seq)
      redis.call('ZADD', exp, untilMs, 't' .. mid)
    end
    removed = removed + 1
  end
end
return {removed, -freed}
