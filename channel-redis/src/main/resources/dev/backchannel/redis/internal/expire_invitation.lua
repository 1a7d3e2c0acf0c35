-- Deletes an invitation bundle if it expired at ARGV[1] (now_ms). KEYS: inv.
-- Returns {1, bytes added (negative)} if deleted, else {0, 0}.
local e = redis.call('HGET', KEYS[1], 'exp')
if e and tonumber(e) <= tonumber(ARGV[1]) then
  local len = redis.call('HSTRLEN', KEYS[1], 'b')
  redis.call('DEL', KEYS[1])
  return {1, -len}
end
return {0, 0}
