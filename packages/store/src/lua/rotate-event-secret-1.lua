--[[
  Rotates an event endpoint's signing secret (SPEC §16): the current secret becomes the previous one, which keeps
  signing until ARGV[2]; a secret rotated out before is dropped.

  KEYS[1] event endpoint hash
  ARGV[1] the new secret
  ARGV[2] when the previous secret stops signing, ms

  Returns 1 when rotated, 0 when there is no such endpoint.
]]
local current = redis.call('HGET', KEYS[1], 's')
if not current then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[1], 's0', current, 's0x', ARGV[2])
return 1
