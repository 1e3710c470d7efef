--[[
  Moves a campaign to a new status if its current one allows it.

  KEYS[1] meta   campaign hash
  ARGV[1] new status
  ARGV[2] comma-separated statuses it may come from
  ARGV[3] now, ms
  ARGV[4] timestamp field to set to now ('' for none)
  ARGV[5] timestamp field to clear ('' for none)
  ARGV[6] the campaign's outbox (keys.outbox), '' or absent when no event endpoint exists: a move to `paused`
          adds `t P` to it in this step (SPEC §16 campaign.paused)

  Returns { 1, previous } when moved, { 0, current } when not (current is '' if no such campaign).
]]
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return { 0, '' } end
if cur == ARGV[1] then return { 0, cur } end
if not string.find(',' .. ARGV[2] .. ',', ',' .. cur .. ',', 1, true) then return { 0, cur } end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'updated_at', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], ARGV[4], ARGV[3]) end
if ARGV[5] ~= '' then redis.call('HDEL', KEYS[1], ARGV[5]) end
if ARGV[1] == 'paused' and ARGV[6] and ARGV[6] ~= '' then redis.call('XADD', ARGV[6], '*', 't', 'P') end
return { 1, cur }
