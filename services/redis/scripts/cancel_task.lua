-- The owning firm cancels a task at any non-terminal stage. An open offer or accepted work is
-- withdrawn from the staff member and their capacity released.
--
-- KEYS: 1 task, 2 history, 3 waiting, 4 load, 5 offers of the holder, 6 accepted work of the holder,
--       7 offer expiry, 8 audit events
-- ARGV: 1 task id, 2 firm, 3 now ms, 4 reason, 5 holder staff id as the caller read it ('' for
--       none), 6 holder's notify channel, 7 wake channel

local status = redis.call('HGET', KEYS[1], 'status')
if not status or redis.call('HGET', KEYS[1], 'firm') ~= ARGV[2] then return {'NOT_FOUND'} end
if is_terminal(status) then return {'TERMINAL', status} end
local holder = current_holder(status)
if holder ~= ARGV[5] then return {'RETRY', holder} end
take_back(holder, ARGV[6], ARGV[7])
redis.call('HSET', KEYS[1], 'status', 'CANCELLED', 'cancelled_ms', ARGV[3])
record(KEYS[8], status, 'CANCELLED|' .. ARGV[3] .. '|firm:' .. ARGV[2] .. '|' .. ARGV[4])
return {'OK', 'CANCELLED'}
