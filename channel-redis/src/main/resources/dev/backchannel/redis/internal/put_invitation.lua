-- Stores an invitation bundle, replacing one with the same id. KEYS: inv.
-- ARGV: 1 expires_at_ms, 2 bundle. Returns the bytes added (negative if the new one is smaller).
local old = redis.call('HSTRLEN', KEYS[1], 'b')
redis.call('HSET', KEYS[1], 'exp', ARGV[1], 'b', ARGV[2])
return #ARGV[2] - old
