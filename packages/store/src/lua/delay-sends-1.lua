--[[
  Holds every worker's sending for a while (the upstream answered 429): moves the GCRA arrival time
  to at least now + delay, so the next slot anyone gets is after it.

  KEYS[1] send-rate hash
  ARGV[1] delay, µs

  Returns µs from now until sending resumes.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
local target = now + tonumber(ARGV[1])
if target > tat then
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', target))
  tat = target
end
return tat - now
