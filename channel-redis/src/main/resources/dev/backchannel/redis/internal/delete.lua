-- Deletes a mailbox with everything in it, if it exists (and, when given, has this owner).
-- KEYS: mb, q, ids, tomb, exp. ARGV: 1 owner key or '' (no check).
-- Returns {1, bytes added (zero or negative)} | {0, 0} no such mailbox | {5, 0} owner changed.
local rec = redis.call('HMGET', KEYS[1], 'owner', 'bytes')
if not rec[1] then
  return {0, 0}
end
if ARGV[1] ~= '' and rec[1] ~= ARGV[1] then
  return {5, 0}
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return {1, -tonumber(rec[2] or '0')}
