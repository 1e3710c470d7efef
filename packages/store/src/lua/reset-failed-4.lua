--[[
  Turns the failed recipients of one chunk back into pending ones (retry-failed), taking them out of
  the failure counters. Each becomes a retrying outcome that keeps its request count (the report's
  `attempts` goes on counting) with its rounds reset (it gets MAX_ATTEMPTS fresh rounds).

  KEYS[1] outcomes   chunk's hash: index -> outcome
  KEYS[2] counts     campaign counters
  KEYS[3] failures   failure counts by code
  KEYS[4] meta       campaign hash

  ARGV[1] now, ms

  Returns the number of recipients reset.
]]
local fields = redis.call('HGETALL', KEYS[1])
local reset = 0
for i = 1, #fields, 2 do
  local val = fields[i + 1]
  if string.sub(val, 1, 1) == 'f' then
    local code = string.match(val, '^f|[^|]*|[^|]*|[^|]*|([^|]*)|')
    local attempts = string.match(val, '^f|(%d+)') or '0'
    redis.call('HSET', KEYS[1], fields[i], 'r|' .. attempts .. '.0|' .. ARGV[1] .. '|||')
    if code and tonumber(redis.call('HINCRBY', KEYS[3], code, -1)) <= 0 then
      redis.call('HDEL', KEYS[3], code, 'm:' .. code)
    end
    reset = reset + 1
  end
end
if reset > 0 then
  redis.call('HINCRBY', KEYS[2], 'failed', -reset)
  redis.call('HSET', KEYS[4], 'updated_at', ARGV[1])
end
return reset
