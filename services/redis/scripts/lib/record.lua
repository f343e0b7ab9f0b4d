-- Shared by every script (prepended at build time). Lua scripts in Redis cannot include one
-- another, and every status change must be written the same way.
--
-- record(events_key, from, entry): appends `entry` ("STATUS|ms|actor|reason") to the task's
-- history (KEYS[2]) and to the audit outbox `events_key`, which the event relay sends to Kafka,
-- and wakes WatchTask streams on lx:{pool}:notify:task:<id>. KEYS[1] is the task, ARGV[1] or
-- `task_id` its id.
local function record(events_key, from, entry, task_id)
  redis.call('RPUSH', KEYS[2], entry)
  local to, at, actor, reason = string.match(entry, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  local firm = redis.call('HGET', KEYS[1], 'firm')
  redis.call('XADD', events_key, '*', 'task', task_id or ARGV[1], 'firm', firm, 'from', from,
             'to', to, 'at', at, 'actor', actor, 'reason', reason)
  redis.call('PUBLISH', (string.gsub(KEYS[1], ':task:', ':notify:task:', 1)), to)
end

