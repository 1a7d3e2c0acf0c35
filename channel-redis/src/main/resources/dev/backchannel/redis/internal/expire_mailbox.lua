-- Expires what is due in one mailbox, at most ARGV[2] entries of its expiry index per call.
-- KEYS: mb, q, ids, tomb, exp. ARGV: 1 now_ms, 2 chunk.
-- Returns {rows expired, bytes added (zero or negative), 1 if more may be due else 0}.
local mb, q, ids, tomb, exp = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local rec = redis.call('HMGET', mb, 'owner', 'bytes', 'idle')
if not rec[1] then
  redis.call('DEL', q, ids, tomb, exp)
  return {0, 0, 0}
end
local now = tonumber(ARGV[1])
if rec[3] and tonumber(rec[3]) <= now then
  redis.call('DEL', mb, q, ids, tomb, exp)
  return {1, -tonumber(rec[2] or '0'), 0}
end
local due = redis.call('ZRANGEBYSCORE', exp, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local expired, freed = 0, 0
for _, entry in ipairs(due) do
  local kind, rest = string.sub(entry, 1, 1), string.sub(entry, 2)
  if kind == 'e' then
    local m = redis.call('ZRANGEBYSCORE', q, rest, rest)[1]
    if m then
      local p = string.find(m, ':', 1, true)
      local midLen = string.byte(m, p + 1)
      local len = #m - p - 1 - midLen - 8
      redis.call('ZREMRANGEBYSCORE', q, rest, rest)
      redis.call('HDEL', ids, string.sub(m, p + 2, p + 1 + midLen))
      redis.call('HINCRBY', mb, 'n', -1)
      redis.call('HINCRBY', mb, 'bytes', -len)
      freed = freed + len
      expired = expired + 1
    end
  elseif kind == 't' then
    redis.call('HDEL', tomb, rest)
  end
  redis.call('ZREM', exp, entry)
end
local more = 0
if #due == tonumber(ARGV[2]) then
  more = 1
end
return {expired, -freed, more}
