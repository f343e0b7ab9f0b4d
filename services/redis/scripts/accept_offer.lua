-- A staff member accepts their open offer. Accepting again what they hold answers ALREADY
-- (a retry, e.g. after an UNAVAILABLE while replicas caught up) and changes nothing.
--
-- KEYS: 1 task, 2 history, 3 offers of the staff member, 4 accepted work of the staff member,
--       5 offer expiry, 6 audit events
-- ARGV: 1 task id, 2 staff id, 3 now ms

local task = redis.call('HMGET', KEYS[1], 'status', 'staff', 'firm')
local status = task[1]
if not status then return {'NOT_FOUND'} end
if task[2] ~= ARGV[2] then return {'NOT_YOURS', status} end
if status == 'ACCEPTED' then
  restate(KEYS[1], 'status', status)
  return {'ALREADY', status}
end
if status ~= 'OFFERED' then return {'NOT_OPEN', status} end
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'ACCEPTED', 'accepted_ms', ARGV[3])
record(KEYS[6], 'OFFERED', 'ACCEPTED|' .. ARGV[3] .. '|staff:' .. ARGV[2] .. '|accepted', nil,
       task[3])
return {'OK', 'ACCEPTED'}
