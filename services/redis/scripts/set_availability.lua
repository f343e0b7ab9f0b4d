-- A staff member signs in, takes a break or signs out. Signing in or holding accepted work puts
-- them under presence (silence then takes them offline); signing out with nothing in hand takes
-- them out of it.
--
-- KEYS: 1 availability, 2 presence, 3 lapsed, 4 accepted work of the staff member,
--       5 the pool's scaling state (signing in answers a call-in)
-- ARGV: 1 staff id, 2 availability, 3 now ms, 4 wake channel

redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[2] == 'OFFLINE' and redis.call('SCARD', KEYS[4]) == 0 then
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
end
if ARGV[2] == 'AVAILABLE' then redis.call('HDEL', KEYS[5], 'called_in_ms:' .. ARGV[1]) end
redis.call('SPUBLISH', ARGV[4], 'free ' .. ARGV[1])
return {'OK'}
