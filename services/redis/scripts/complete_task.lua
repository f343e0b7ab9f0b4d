-- A staff member completes work they accepted; their capacity is released.
-- Completing again what they completed answers ALREADY (a retry) and changes nothing: the
-- outcome stays the first one.
--
-- The staff member's recent completions (a sorted set by completion ms) get the task and lose
-- what is older than ARGV[8] ms, and expire after as long without a completion: the worker
-- app's "Done today" reads them.
--
-- KEYS: 1 task, 2 history, 3 accepted work of the staff member, 4 load, 5 audit events,
--       6 completions so far in the pool, 7 recent completions of the staff member
-- ARGV: 1 task id, 2 staff id, 3 now ms, 4 outcome, 5 note, 6 wake channel,
--       7 the staff member's channel, 8 how long recent completions are kept (ms)

local task = redis.call('HMGET', KEYS[1], 'status', 'staff', 'firm')
local status = task[1]
if not status then return {'NOT_FOUND'} end
if task[2] ~= ARGV[2] then return {'NOT_YOURS', status} end
if status == 'COMPLETED' then
  restate(KEYS[1], 'status', status)
  return {'ALREADY', status}
end
if status ~= 'ACCEPTED' then return {'NOT_OPEN', status} end
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('HINCRBY', KEYS[4], ARGV[2], -1)
redis.call('HSET', KEYS[1], 'status', 'COMPLETED', 'completed_ms', ARGV[3], 'outcome', ARGV[4],
           'note', ARGV[5])
redis.call('INCR', KEYS[6])
record(KEYS[5], 'ACCEPTED', 'COMPLETED|' .. ARGV[3] .. '|staff:' .. ARGV[2] .. '|' .. ARGV[4], nil,
       task[3])
local now = tonumber(ARGV[3])
local kept = tonumber(ARGV[8])
redis.call('ZADD', KEYS[7], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', '(' .. (now - kept))
redis.call('PEXPIRE', KEYS[7], kept)
redis.call('SPUBLISH', ARGV[6], 'free ' .. ARGV[2])
redis.call('SPUBLISH', ARGV[7], 'done ' .. ARGV[1])
return {'OK', 'COMPLETED'}
