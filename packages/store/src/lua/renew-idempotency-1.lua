--[[
  Extends the lease of a claim this caller still holds (its campaign id, state `claimed`).

  KEYS[1] the key's hash
  ARGV[1] campaign id of the claim
  ARGV[2] lease, ms

  Returns 1 when renewed, 0 when the claim is no longer this caller's (taken over, released or done).
]]
local k = KEYS[1]
local cur = redis.call('HMGET', k, 'state', 'id')
if cur[1] ~= 'claimed' or cur[2] ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', k, 'until', now + tonumber(ARGV[2]))
return 1
