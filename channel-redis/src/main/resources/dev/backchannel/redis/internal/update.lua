-- Replaces the owner and lock of an existing mailbox (a deleted one is not revived).
-- KEYS: mb, q, ids, tomb, exp. ARGV: 1 owner key, 2 sender key or '' (unlocked).
-- Returns 1 if updated, 0 if there is no such mailbox.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], 'sender')
else
  redis.call('HSET', KEYS[1], 'sender', ARGV[2])
end
return 1
