-- Work goes back to routing because its holder is away: an open offer of someone who went
-- offline, signed out or took a break, or accepted work of someone silent past the grace period.
-- The holder's capacity is released and the work withdrawn from their stream; they are not
-- excluded from it (they did not decline it). Does nothing if the task moved meanwhile, or (with
-- a cutoff) if the holder was heard from again.
--
-- KEYS: 1 task, 2 history, 3 waiting, 4 load, 5 offers of the holder, 6 accepted work of the
--       holder, 7 offer expiry, 8 audit events, 9 lapsed
-- ARGV: 1 task id, 2 holder, 3 now ms, 4 reason, 5 holder's notify channel, 6 wake channel,
--       7 waiting score, 8 the status it must have (OFFERED or ACCEPTED), 9 lapsed cutoff ms
--       ('' for none)

local status = redis.call('HGET', KEYS[1], 'status')
if status ~= ARGV[8] or redis.call('HGET', KEYS[1], 'staff') ~= ARGV[2] then return {'MOVED'} end
if ARGV[9] ~= '' then
  local seen = redis.call('ZSCORE', KEYS[9], ARGV[2])
  if not seen or tonumber(seen) > tonumber(ARGV[9]) then return {'BACK'} end
end
take_back(ARGV[2], ARGV[5], ARGV[6])
back_to_waiting(KEYS[8], status, 'WAITING|' .. ARGV[3] .. '|router|' .. ARGV[4], KEYS[3], ARGV[7])
if ARGV[9] ~= '' and redis.call('SCARD', KEYS[6]) == 0 then redis.call('ZREM', KEYS[9], ARGV[2]) end
return {'OK'}
