-- Binds a firm's idempotency key to a task on first use; later uses get the first task back.
-- Returns {'NEW'} or {'EXISTING', task id, fingerprint, submitted record}. A later use writes the
-- binding back unchanged (restate), so intake's WAIT covers it.
--
-- KEYS: 1 idempotency key
-- ARGV: 1 task id, 2 request fingerprint, 3 submitted record, 4 ttl seconds
local existing = redis.call('HMGET', KEYS[1], 'task', 'fingerprint', 'record')
if existing[1] then
  restate(KEYS[1], 'task', existing[1])
  return {'EXISTING', existing[1], existing[2], existing[3]}
end
redis.call('HSET', KEYS[1], 'task', ARGV[1], 'fingerprint', ARGV[2], 'record', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return {'NEW'}
