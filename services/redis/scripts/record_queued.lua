-- Intake records a task as QUEUED once Kafka has acknowledged it, unless the router got there
-- first. Returns 1 when it created the record.
--
-- KEYS: 1 task, 2 history, 3 audit events, 4 deadlines
-- ARGV: 1 firm, 2 spec, 3 submitted ms, 4 priority, 5 task id, 6 deadline ms,
--       7 expire at deadline ('1' or '0')

if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'firm', ARGV[1], 'spec', ARGV[2], 'submitted_ms', ARGV[3],
           'priority', ARGV[4], 'status', 'QUEUED', 'expire', ARGV[7])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
record(KEYS[3], '', 'QUEUED|' .. ARGV[3] .. '|firm:' .. ARGV[1] .. '|submitted', ARGV[5], ARGV[1])
return 1
