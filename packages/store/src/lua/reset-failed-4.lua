--[[
  Turns failed recipients of one chunk back into pending ones (retry-failed), taking them out of the
  failure counters. The caller read the chunk's outcomes and chose which to retry (the policy's retryable
  failures, or all with include=all) and each new (retrying) value; a recipient whose outcome changed since
  that read is left alone (compare and set), so a concurrent writer is never overwritten. One call is one
  atomic step: the outcomes, `failed` and the failure counts move together.

  KEYS[1] outcomes   chunk's hash: index -> outcome
  KEYS[2] counts     campaign counters
  KEYS[3] failures   failure counts by code, `m:<code>` last message
  KEYS[4] meta       campaign hash

  ARGV[1] now, ms
  ARGV[2..] groups of four: index, the failed outcome as read, the retrying outcome, failure code

  Returns one flag per group, in order: 1 when that recipient was reset, 0 when its outcome had changed.
]]
local flags, reset = {}, 0
for i = 2, #ARGV, 4 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
    local code = ARGV[i + 3]
    if tonumber(redis.call('HINCRBY', KEYS[3], code, -1)) <= 0 then
      redis.call('HDEL', KEYS[3], code, 'm:' .. code)
    end
    reset = reset + 1
    flags[#flags + 1] = 1
  else
    flags[#flags + 1] = 0
  end
end
if reset > 0 then
  redis.call('HINCRBY', KEYS[2], 'failed', -reset)
  redis.call('HSET', KEYS[4], 'updated_at', ARGV[1])
end
return flags
