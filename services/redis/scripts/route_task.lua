-- Routes one task in one atomic step: creates the task record if the router is first to see it,
-- reserves the chosen staff member (state and capacity checked here, not trusted from the
-- router's possibly stale view), or parks the task as WAITING / UNROUTABLE; and stores the
-- consumed Kafka offset in the same write, so a Redis that loses its last second of writes makes
-- the router replay instead of skip.
--
-- KEYS: 1 task, 2 history, 3 waiting, 4 offsets, 5 availability, 6 capacity, 7 load,
--       8 offers of the candidate, 9 excluded staff of the task, 10 offer expiry,
--       11 audit events, 12 deadlines, 13 bench
-- ARGV: 1 task id, 2 firm, 3 spec, 4 submitted ms, 5 priority, 6 now ms, 7 candidate staff id
--       ('' for none), 8 offset field ('' when not from Kafka), 9 next offset, 10 status when no
--       candidate (WAITING or UNROUTABLE), 11 reason, 12 candidate's notify channel,
--       13 waiting score, 14 the routing decision (serialized RoutingDecision), 15 wake channel,
--       16 when the offer expires (ms), 17 deadline (ms), 18 expire at deadline ('1' or '0'),
--       19 the offset this router last stored for the offset field ('' if none)
local task = KEYS[1]

-- Stored offsets only ever grow. One lower than this router last stored means Redis lost writes
-- (a restart with appendfsync everysec): the router must go back and route again from there.
if ARGV[8] ~= '' and ARGV[19] ~= '' then
  local stored = tonumber(redis.call('HGET', KEYS[4], ARGV[8]) or '-1')
  if stored < tonumber(ARGV[19]) then return {'REWOUND', tostring(stored)} end
end

local function store_offset()
  if ARGV[8] ~= '' then
    local current = tonumber(redis.call('HGET', KEYS[4], ARGV[8]) or '-1')
    if tonumber(ARGV[9]) > current then
      redis.call('HSET', KEYS[4], ARGV[8], ARGV[9])
    end
  end
end

local was = ''

local function transition(to, at, actor, reason)
  redis.call('HSET', task, 'status', to)
  record(KEYS[11], was, to .. '|' .. at .. '|' .. actor .. '|' .. reason)
  was = to
end

local status = redis.call('HGET', task, 'status')
if not status then
  redis.call('HSET', task, 'firm', ARGV[2], 'spec', ARGV[3], 'submitted_ms', ARGV[4],
             'priority', ARGV[5], 'expire', ARGV[18])
  redis.call('ZADD', KEYS[12], ARGV[17], ARGV[1])
  transition('QUEUED', ARGV[4], 'firm:' .. ARGV[2], 'submitted')
  status = 'QUEUED'
elseif status ~= 'QUEUED' and status ~= 'WAITING' then
  store_offset()
  return {'SKIP', status}
else
  was = status
end

-- Parks the task in the waiting set (the waiting pass offers it when someone has room) and
-- stores the offset: every outcome leaves the task somewhere durable, so a router may send many
-- of these in one pipeline and a crash between a refusal and its next try loses nothing.
local function park(reason)
  if status ~= 'WAITING' then
    transition('WAITING', ARGV[6], 'router', reason)
  end
  redis.call('ZADD', KEYS[3], 'NX', ARGV[13], ARGV[1])
  store_offset()
end

local staff = ARGV[7]
if staff ~= '' then
  local availability = redis.call('HGET', KEYS[5], staff)
  local capacity = tonumber(redis.call('HGET', KEYS[6], staff) or '0')
  local load = tonumber(redis.call('HGET', KEYS[7], staff) or '0')
  if availability ~= 'AVAILABLE' or load >= capacity or
      redis.call('SISMEMBER', KEYS[9], staff) == 1 or
      redis.call('HGET', KEYS[13], staff) == 'BENCH' then
    -- The router's view was stale. It tries its next candidate at once; until then, the task
    -- waits.
    park('the chosen staff member had no room when reserved; trying the next')
    return {'STALE', status}
  end
  redis.call('HINCRBY', KEYS[7], staff, 1)
  redis.call('SADD', KEYS[8], ARGV[1])
  redis.call('HSET', task, 'staff', staff, 'offered_ms', ARGV[6], 'decision', ARGV[14])
  redis.call('HINCRBY', task, 'attempts', 1)
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZADD', KEYS[10], ARGV[16], ARGV[1])
  transition('OFFERED', ARGV[6], 'router', 'offered to ' .. staff)
  store_offset()
  redis.call('PUBLISH', ARGV[12], 'offer ' .. ARGV[1])
  redis.call('PUBLISH', ARGV[15], 'load ' .. staff)
  return {'OFFERED', staff}
end

redis.call('HSET', task, 'decision', ARGV[14])
if ARGV[10] == 'UNROUTABLE' then
  redis.call('ZREM', KEYS[3], ARGV[1])
  transition('UNROUTABLE', ARGV[6], 'router', ARGV[11])
  store_offset()
  return {'UNROUTABLE', ARGV[11]}
end

park(ARGV[11])
return {'WAITING', ARGV[11]}
