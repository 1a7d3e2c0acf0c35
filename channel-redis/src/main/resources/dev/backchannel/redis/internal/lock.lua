-- Locks a mailbox to a sender if it exists with this owner. KEYS: mb, q, ids, tomb, exp.
-- ARGV: 1 owner key, 2 sender key. Returns 1 locked | 0 no such mailbox | 5 owner changed.
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner then
  return 0
end
if owner ~= ARGV[1] then
  return 5
end
redis.call('HSET', KEYS[1], 'sender', ARGV[2])
return 1
