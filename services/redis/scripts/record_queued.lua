-- Intake records a task as QUEUED once Kafka has acknowledged it, unless the router got there
-- first. Returns 1 when it created the record.
--
-- KEYS: 1 task, 2 history, 3 audit events, 4 deadlines
-- ARGV: 1 firm, 2 spec, 3 submitted ms, 4 priority, 5 task id, 6 deadline ms,
--       7 expire at deadline ('1' or '0')

-- Appends to the task's history and to the audit outbox, which the event relay sends to Kafka.
local function record(from, entry)
  redis.call('RPUSH', KEYS[2], entry)
  local to, at, actor, reason = string.match(entry, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  local firm = redis.call('HGET', KEYS[1], 'firm')
  redis.call('XADD', KEYS[3], '*', 'task', ARGV[5], 'firm', firm, 'from', from,
             'to', to, 'at', at, 'actor', actor, 'reason', reason)
  -- Wakes WatchTask streams: lx:{pool}:task:<id> -> lx:{pool}:notify:task:<id>.
  redis.call('PUBLISH', (string.gsub(KEYS[1], ':task:', ':notify:task:', 1)), to)
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'firm', ARGV[1], 'spec', ARGV[2], 'submitted_ms', ARGV[3],
           'priority', ARGV[4], 'status', 'QUEUED', 'expire', ARGV[7])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
record('', 'QUEUED|' .. ARGV[3] .. '|firm:' .. ARGV[1] .. '|submitted')
return 1
