--[[
  Forgets an outbox the pump has read to its end, unless it was written again since it was listed.

  KEYS[1] the outboxes to read (keys.eventSources): source → writes counted
  ARGV[1] the source
  ARGV[2] its count when the pump listed it

  Returns 1 when forgotten, 0 when written since (it stays listed).
]]
local n = redis.call('ZSCORE', KEYS[1], ARGV[1])
if n and tonumber(n) == tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
