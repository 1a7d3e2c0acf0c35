-- Moves an existing mailbox's idle deadline. KEYS: mb, q, ids, tomb, exp.
-- ARGV: 1 idle until_ms. Returns 1 if moved, 0 if there is no such mailbox.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'idle', ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[1], 'a')
return 1
