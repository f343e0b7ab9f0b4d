-- Intake records a task as QUEUED once Kafka has acknowledged it, unless the router got there
-- first. Returns 1 when it created the record.
--
-- KEYS: 1 task, 2 history, 3 audit events, 4 deadlines
-- ARGV: 1 firm, 2 spec, 3 submitted ms, 4 priority, 5 task id, 6 deadline ms,
--       7 expire at deadline ('1' or '0')

if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
create_queued(KEYS[3], KEYS[4], ARGV[5], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[6], ARGV[7])
return 1
