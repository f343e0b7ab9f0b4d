-- A staff member turns down their open offer: capacity is released, they are excluded from this
-- task, and the task waits to be routed again. Turning down again a task they are excluded from
-- (a retry; or their offer timed out meanwhile, which excluded them too) answers ALREADY.
--
-- KEYS: 1 task, 2 history, 3 offers of the staff member, 4 load, 5 waiting, 6 excluded staff,
--       7 offer expiry, 8 audit events
-- ARGV: 1 task id, 2 staff id, 3 now ms, 4 reason, 5 wake channel, 6 waiting score

local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'NOT_FOUND'} end
if redis.call('HGET', KEYS[1], 'staff') ~= ARGV[2] then
  if redis.call('SISMEMBER', KEYS[6], ARGV[2]) == 1 then
    restate(KEYS[1], 'status', status)
    return {'ALREADY', status}
  end
  return {'NOT_YOURS', status}
end
if status ~= 'OFFERED' then return {'NOT_OPEN', status} end
redis.call('ZREM', KEYS[7], ARGV[1])
decline(ARGV[2], KEYS[3], KEYS[4], KEYS[6])
back_to_waiting(KEYS[8], 'OFFERED',
                'WAITING|' .. ARGV[3] .. '|staff:' .. ARGV[2] .. '|rejected: ' .. ARGV[4], KEYS[5],
                ARGV[6])
redis.call('SPUBLISH', ARGV[5], 'free ' .. ARGV[2])
return {'OK', 'WAITING'}
