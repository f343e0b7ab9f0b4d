-- The scaler calls a bench member in (BENCH -> CALLED_IN) or releases them (CALLED_IN -> BENCH),
-- and says so on the pool's staff-events outbox for the vendor's own notification system, in
-- the same step. Released staff get no new offers; they finish what they accepted.
--
-- KEYS: 1 bench, 2 staff events outbox, 3 scaling state
-- ARGV: 1 staff id, 2 from state, 3 to state, 4 event kind (CALLED_IN or RELEASED), 5 vendor,
--       6 reason, 7 now ms, 8 wake channel

if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return {'MOVED'} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('XADD', KEYS[2], '*', 'staff', ARGV[1], 'vendor', ARGV[5], 'kind', ARGV[4], 'reason',
           ARGV[6], 'at', ARGV[7], 'actor', 'scaler')
-- 'called_in_ms:<staff>' stays until they sign in (set_availability.lua): a no-show shows.
if ARGV[4] == 'CALLED_IN' then
  redis.call('HSET', KEYS[3], 'last_call_in_ms', ARGV[7], 'called_in_ms:' .. ARGV[1], ARGV[7])
else
  redis.call('HDEL', KEYS[3], 'called_in_ms:' .. ARGV[1])
end
redis.call('SPUBLISH', ARGV[8], 'free ' .. ARGV[1])
return {'OK'}
