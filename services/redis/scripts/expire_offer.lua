-- An offer nobody answered in time goes back to routing: the holder's capacity is released, they
-- are excluded from this task, the offer is withdrawn from their stream, and the task waits.
-- Does nothing (but forget the expiry entry) when the offer was answered or moved meanwhile.
--
-- KEYS: 1 task, 2 history, 3 offers of the holder, 4 load, 5 waiting, 6 excluded staff,
--       7 offer expiry, 8 audit events
-- ARGV: 1 task id, 2 holder as the caller read it, 3 now ms, 4 wake channel, 5 waiting score,
--       6 holder's notify channel

local due = redis.call('ZSCORE', KEYS[7], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
if not due or tonumber(due) > tonumber(ARGV[3]) then
  if due then redis.call('ZADD', KEYS[7], due, ARGV[1]) end
  return {'NOT_DUE'}
end
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'OFFERED' or redis.call('HGET', KEYS[1], 'staff') ~= ARGV[2] then
  return {'MOVED'}
end
decline(ARGV[2], KEYS[3], KEYS[4], KEYS[6])
back_to_waiting(KEYS[8], 'OFFERED',
                'WAITING|' .. ARGV[3] .. '|router|offer to ' .. ARGV[2] .. ' timed out', KEYS[5],
                ARGV[5])
redis.call('SPUBLISH', ARGV[6], 'withdraw ' .. ARGV[1])
redis.call('SPUBLISH', ARGV[4], 'free ' .. ARGV[2])
return {'EXPIRED'}
