--[[
  Frees a key claimed for a campaign that will not be created. Only that claim is removed: a key taken over by
  another call, or already done, stays.

  KEYS[1] the key's hash
  ARGV[1] campaign id of the claim

  Returns 1 when removed, else 0.
]]
local k = KEYS[1]
local cur = redis.call('HMGET', k, 'state', 'id')
if cur[1] ~= 'claimed' or cur[2] ~= ARGV[1] then return 0 end
redis.call('DEL', k)
return 1
