-- Intake records a task as QUEUED once Kafka has acknowledged it, unless the router got there
-- first. Returns 1 when it created the record.
--
-- KEYS: 1 task, 2 history
-- ARGV: 1 firm, 2 spec, 3 submitted ms, 4 priority
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'firm', ARGV[1], 'spec', ARGV[2], 'submitted_ms', ARGV[3],
           'priority', ARGV[4], 'status', 'QUEUED')
redis.call('RPUSH', KEYS[2], 'QUEUED|' .. ARGV[3] .. '|firm:' .. ARGV[1] .. '|submitted')
return 1
