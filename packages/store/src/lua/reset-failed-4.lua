--[[
  Turns the failed recipients of one chunk back into pending ones (retry-failed), taking them out of
  the failure counters.

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
    redis.call('HDEL', KEYS[1], fields[i])
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
