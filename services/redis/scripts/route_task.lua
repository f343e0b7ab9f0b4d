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
local stored = nil
if ARGV[8] ~= '' then
  stored = tonumber(redis.call('HGET', KEYS[4], ARGV[8]) or '-1')
  if ARGV[19] ~= '' and stored < tonumber(ARGV[19]) then return {'REWOUND', tostring(stored)} end
end

-- Every outcome stores the offset; the one read above is still current (a script is atomic).
local function store_offset()
  if stored ~= nil and tonumber(ARGV[9]) > stored then
    redis.call('HSET', KEYS[4], ARGV[8], ARGV[9])
  end
end

local was = ''

-- Records a change of status the caller has already written to the task (in the same HSET as
-- the fields that go with it: one command fewer on every route).
local function recorded(to, at, actor, reason)
  record(KEYS[11], was, to .. '|' .. at .. '|' .. actor .. '|' .. reason, nil, ARGV[2])
  was = to
end

local current = redis.call('HMGET', task, 'status', 'attempts')
local status = current[1]
if not status then
  create_queued(KEYS[11], KEYS[12], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[17],
                ARGV[18])
  was = 'QUEUED'
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
-- `decision`, when given, is written with the status.
local function park(reason, decision)
  if status ~= 'WAITING' then
    if decision then
      redis.call('HSET', task, 'status', 'WAITING', 'decision', decision)
    else
      redis.call('HSET', task, 'status', 'WAITING')
    end
    recorded('WAITING', ARGV[6], 'router', reason)
  elseif decision then
    redis.call('HSET', task, 'decision', decision)
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
  redis.call('HSET', task, 'status', 'OFFERED', 'staff', staff, 'offered_ms', ARGV[6],
             'decision', ARGV[14], 'attempts', (tonumber(current[2]) or 0) + 1)
  -- Only a waiting task is in the waiting set.
  if status == 'WAITING' then redis.call('ZREM', KEYS[3], ARGV[1]) end
  redis.call('ZADD', KEYS[10], ARGV[16], ARGV[1])
  recorded('OFFERED', ARGV[6], 'router', 'offered to ' .. staff)
  store_offset()
  redis.call('SPUBLISH', ARGV[12], 'offer ' .. ARGV[1])
  redis.call('SPUBLISH', ARGV[15], 'load ' .. staff)
  return {'OFFERED', staff}
end

if ARGV[10] == 'UNROUTABLE' then
  if status == 'WAITING' then redis.call('ZREM', KEYS[3], ARGV[1]) end
  redis.call('HSET', task, 'status', 'UNROUTABLE', 'decision', ARGV[14])
  recorded('UNROUTABLE', ARGV[6], 'router', ARGV[11])
  store_offset()
  return {'UNROUTABLE', ARGV[11]}
end

park(ARGV[11], ARGV[14])
return {'WAITING', ARGV[11]}
