-- A staff member not heard from since the cutoff goes offline. If they hold accepted work they
-- enter the lapsed set (scored by when they were last heard from), whose grace period the router
-- sweeps. Returns their open offers, which the caller sends back to routing one by one.
--
-- KEYS: 1 presence, 2 lapsed, 3 availability, 4 accepted work of the staff member,
--       5 offers of the staff member
-- ARGV: 1 staff id, 2 cutoff ms, 3 wake channel

local seen = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not seen or tonumber(seen) > tonumber(ARGV[2]) then return {'BACK'} end
redis.call('ZREM', KEYS[1], ARGV[1])
local was = redis.call('HGET', KEYS[3], ARGV[1]) or 'OFFLINE'
redis.call('HSET', KEYS[3], ARGV[1], 'OFFLINE')
if redis.call('SCARD', KEYS[4]) > 0 then redis.call('ZADD', KEYS[2], seen, ARGV[1]) end
redis.call('SPUBLISH', ARGV[3], 'free ' .. ARGV[1])
return {'OFFLINE', was, redis.call('SMEMBERS', KEYS[5])}
