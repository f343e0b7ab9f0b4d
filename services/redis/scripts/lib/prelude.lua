-- Shared by every script (prepended at build time). Lua scripts in Redis cannot include one
-- another, and every status change must be written the same way.
--
-- record(events_key, from, entry, task_id, firm): appends `entry` ("STATUS|ms|actor|reason") to
-- the task's history (KEYS[2]) and to the audit outbox `events_key`, which the event relay sends
-- to Kafka, and wakes WatchTask streams on lx:{pool}:notify:task:<id>. KEYS[1] is the task,
-- ARGV[1] or `task_id` its id; `firm` is read from the task unless the caller has it (every
-- command a script saves is Redis time on the routing path).
local function record(events_key, from, entry, task_id, firm)
  redis.call('RPUSH', KEYS[2], entry)
  local to, at, actor, reason = string.match(entry, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  firm = firm or redis.call('HGET', KEYS[1], 'firm')
  redis.call('XADD', events_key, '*', 'task', task_id or ARGV[1], 'firm', firm, 'from', from,
             'to', to, 'at', at, 'actor', actor, 'reason', reason)
  redis.call('SPUBLISH', (string.gsub(KEYS[1], ':task:', ':notify:task:', 1)), to)
end

-- create_queued(events_key, deadlines_key, task_id, firm, spec, submitted_ms, priority,
--               deadline_ms, expire): the task KEYS[1] is written QUEUED with what the firm
-- submitted, its deadline is watched, and the submission is recorded. Intake and the router both
-- create it, whichever sees the task first.
local function create_queued(events_key, deadlines_key, task_id, firm, spec, submitted_ms,
                             priority, deadline_ms, expire)
  redis.call('HSET', KEYS[1], 'firm', firm, 'spec', spec, 'submitted_ms', submitted_ms,
             'priority', priority, 'status', 'QUEUED', 'expire', expire)
  redis.call('ZADD', deadlines_key, deadline_ms, task_id)
  record(events_key, '', 'QUEUED|' .. submitted_ms .. '|firm:' .. firm .. '|submitted', task_id,
         firm)
end

-- is_terminal(status): the task has reached an end no step changes (router/task_status.h).
local function is_terminal(status)
  return status == 'COMPLETED' or status == 'CANCELLED' or status == 'EXPIRED' or
      status == 'UNROUTABLE'
end

-- current_holder(status): who has the task KEYS[1] on offer or accepted ('' when nobody).
local function current_holder(status)
  if status ~= 'OFFERED' and status ~= 'ACCEPTED' then return '' end
  return redis.call('HGET', KEYS[1], 'staff') or ''
end

-- decline(staff, offers_key, load_key, excluded_key): `staff`'s open offer of the task ARGV[1]
-- ends without the work done (turned down, or timed out): their capacity comes back and the task
-- is never offered to them again.
local function decline(staff, offers_key, load_key, excluded_key)
  redis.call('SREM', offers_key, ARGV[1])
  redis.call('HINCRBY', load_key, staff, -1)
  redis.call('SADD', excluded_key, staff)
end

-- back_to_waiting(events_key, from, entry, waiting_key, score): the task KEYS[1] (id ARGV[1])
-- has no holder any more and waits at `score` in `waiting_key`; `entry` ("WAITING|ms|actor|
-- reason") is recorded.
local function back_to_waiting(events_key, from, entry, waiting_key, score)
  redis.call('HDEL', KEYS[1], 'staff')
  redis.call('HSET', KEYS[1], 'status', 'WAITING')
  record(events_key, from, entry)
  redis.call('ZADD', waiting_key, score, ARGV[1])
end

-- take_back(holder, holder_channel, wake_channel), for scripts whose KEYS are 3 waiting, 4 load,
-- 5 the holder's offers, 6 the holder's accepted work, 7 offer expiry: the task ARGV[1] leaves
-- every queue; its holder, if any, gets the capacity back and is told the work is withdrawn.
local function take_back(holder, holder_channel, wake_channel)
  if holder ~= '' then
    redis.call('SREM', KEYS[5], ARGV[1])
    redis.call('SREM', KEYS[6], ARGV[1])
    redis.call('HINCRBY', KEYS[4], holder, -1)
    redis.call('SPUBLISH', holder_channel, 'withdraw ' .. ARGV[1])
    redis.call('SPUBLISH', wake_channel, 'free ' .. holder)
  end
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[7], ARGV[1])
end


-- restate(key, field, value): writes back a hash field just read, unchanged, for a retry that
-- finds its step already taken. WAIT promises only that replicas hold what its own connection
-- wrote, and otherwise this run writes nothing; the write places the WAIT after it beyond the
-- first attempt's write, so the retry is acknowledged only once the replicas hold that. (Redis
-- 7.0 also counts a connection's reads that way, but that is not what WAIT documents.) HSET is
-- replicated even when the value is the same; SADD of a member present is not.
local function restate(key, field, value)
  redis.call('HSET', key, field, value)
end
