--[[
  Marks a key done for its campaign (claimed → done), with the request's fingerprint and the answer to replay.

  KEYS[1] the key's hash
  ARGV[1] campaign id
  ARGV[2] fingerprint
  ARGV[3] TTL of the key, s
  ARGV[4] answer to replay ('' for none)

  Returns 1, or 0 when the key is not (or no longer) this campaign's.
]]
local k = KEYS[1]
if redis.call('HGET', k, 'id') ~= ARGV[1] then return 0 end
redis.call('HSET', k, 'state', 'done', 'fingerprint', ARGV[2])
if ARGV[4] ~= '' then redis.call('HSET', k, 'answer', ARGV[4]) end
redis.call('HDEL', k, 'until')
redis.call('EXPIRE', k, ARGV[3])
return 1
