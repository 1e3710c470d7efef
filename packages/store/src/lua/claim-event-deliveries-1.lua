--[[
  Takes up to ARGV[3] deliveries of one endpoint that are due, for ARGV[2] ms (a lease: a dispatcher killed while
  they are in flight leaves them to be taken again when it ends, so each is delivered at least once).

  KEYS[1] the endpoint's queue (keys.eventQueue): event ref scored `due ms × 16 + attempts made`
  ARGV[1] now, ms
  ARGV[2] lease, ms
  ARGV[3] most deliveries to take

  Returns { ref, attempts made, ref, attempts made, … }, oldest due first.
]]
local now, lease = tonumber(ARGV[1]), tonumber(ARGV[2])
local due = redis.call('ZRANGE', KEYS[1], '-inf', now * 16 + 15, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]), 'WITHSCORES')
local out = {}
for i = 1, #due, 2 do
  local attempts = tonumber(due[i + 1]) % 16
  redis.call('ZADD', KEYS[1], 'XX', (now + lease) * 16 + attempts, due[i])
  out[#out + 1] = due[i]
  out[#out + 1] = attempts
end
return out
