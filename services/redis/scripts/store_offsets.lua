-- Stores the next Kafka offset to consume for topic partitions of one pool, once a batch of its
-- tasks was routed (their own writes leave the offset out, so a task the batch still has to try
-- again is never skipped by a restart). Offsets only grow. One lower than this router last stored
-- means Redis lost writes (a restart with appendfsync everysec): nothing is written, and the
-- router goes back and routes again from what Redis still holds.
--
-- KEYS: 1 offsets
-- ARGV: triples of offset field ("<topic>/<partition>"), next offset, and the offset this router
--       last stored for the field ('' if none)
for i = 1, #ARGV, 3 do
  if ARGV[i + 2] ~= '' then
    local stored = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
    if stored < tonumber(ARGV[i + 2]) then return {'REWOUND', tostring(stored)} end
  end
end
for i = 1, #ARGV, 3 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
  if tonumber(ARGV[i + 1]) > current then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return {'OK'}
