-- Takes the lease if it is free, or extends it if we hold it. 1 if we hold it now.
--
-- KEYS: 1 lease
-- ARGV: 1 holder, 2 ttl ms

if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
