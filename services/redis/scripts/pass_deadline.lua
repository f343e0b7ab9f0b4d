-- A task's deadline passed. Unfinished, it is marked overdue (an event in its history and the
-- audit trail); if the firm asked for it, it also becomes EXPIRED: waiting work leaves the queue,
-- an offer or accepted work is withdrawn from the staff member and their capacity released.
--
-- KEYS: 1 task, 2 history, 3 waiting, 4 load, 5 offers of the holder, 6 accepted work of the holder,
--       7 offer expiry, 8 audit events, 9 deadlines
-- ARGV: 1 task id, 2 now ms, 3 holder as the caller read it ('' for none), 4 holder's notify
--       channel, 5 wake channel

local due = redis.call('ZSCORE', KEYS[9], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[2]) then return {'NOT_DUE'} end
local status = redis.call('HGET', KEYS[1], 'status')
if not status or is_terminal(status) then
  redis.call('ZREM', KEYS[9], ARGV[1])
  return {'DONE'}
end
if redis.call('HGET', KEYS[1], 'expire') ~= '1' then
  redis.call('ZREM', KEYS[9], ARGV[1])
  redis.call('HSET', KEYS[1], 'overdue', '1')
  record(KEYS[8], status, status .. '|' .. ARGV[2] .. '|router|overdue: the deadline passed')
  return {'OVERDUE', status}
end
local holder = current_holder(status)
if holder ~= ARGV[3] then return {'RETRY', holder} end
redis.call('ZREM', KEYS[9], ARGV[1])
take_back(holder, ARGV[4], ARGV[5])
redis.call('HSET', KEYS[1], 'status', 'EXPIRED', 'overdue', '1', 'expired_ms', ARGV[2])
record(KEYS[8], status, 'EXPIRED|' .. ARGV[2] .. '|router|the deadline passed')
return {'EXPIRED', status}
