-- The worker app is alive. A staff member who is signed in, or holds accepted work, is kept in
-- the presence set with the time they were last heard from; hearing from them also ends any
-- grace period their accepted work was in. Their availability is theirs to set: a heartbeat
-- never signs anyone in.
--
-- KEYS: 1 presence, 2 lapsed, 3 availability, 4 accepted work of the staff member, 5 pool settings
-- ARGV: 1 staff id, 2 now ms

redis.call('ZREM', KEYS[2], ARGV[1])
local availability = redis.call('HGET', KEYS[3], ARGV[1]) or 'OFFLINE'
if availability ~= 'OFFLINE' or redis.call('SCARD', KEYS[4]) > 0 then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
end
return {availability, redis.call('HGET', KEYS[5], 'presence_timeout_seconds') or ''}
