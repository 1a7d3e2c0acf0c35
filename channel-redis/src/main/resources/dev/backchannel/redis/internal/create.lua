-- Creates a mailbox if none has this id. KEYS: mb, q, ids, tomb, exp. ARGV: 1 owner key.
-- Returns 1 if created, 0 if it existed (nothing changed).
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'next', 0, 'n', 0, 'bytes', 0)
return 1
