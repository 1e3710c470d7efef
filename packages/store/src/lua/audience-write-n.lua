--[[
  Writes numbers of one audience group (audience.ts). Every key shares the group's hash tag.

  KEYS       the bucket keys written, then (suppressions: ARGV[3] is 1) the group's bitmap of non-empty buckets
             and its suppressed-numbers counter
  ARGV[1]    `nx`: set the field when absent (suppress); `max`: set it when absent or smaller (a time);
             `del`: remove it
  ARGV[2]    unix second at which the written keys expire (0: never)
  ARGV[3]    1 when the last two keys are the bitmap and the counter to keep in step (the counter: fields
             added minus fields removed; the bitmap: a bucket's bit is 1 while it holds a field)
  ARGV[4]    (suppressions) the bucket number of each bucket key, comma-separated
  ARGV[5..]  triples: key index (1-based), field, value (an integer; unused by `del`)

  Returns how many fields changed (added, raised or removed).
]]
local op, expireAt = ARGV[1], tonumber(ARGV[2])
local changed = 0
local touched = {}
for i = 5, #ARGV, 3 do
  local key = KEYS[tonumber(ARGV[i])]
  local field, value = ARGV[i + 1], ARGV[i + 2]
  if op == 'nx' then
    changed = changed + redis.call('HSETNX', key, field, value)
  elseif op == 'del' then
    changed = changed + redis.call('HDEL', key, field)
  else
    local cur = redis.call('HGET', key, field)
    if not cur or tonumber(cur) < tonumber(value) then
      redis.call('HSET', key, field, value)
      changed = changed + 1
    end
  end
  touched[key] = true
end
if expireAt > 0 then
  for key in pairs(touched) do redis.call('EXPIREAT', key, expireAt) end
end
if ARGV[3] == '1' and changed > 0 then
  redis.call('INCRBY', KEYS[#KEYS], op == 'del' and -changed or changed)
  local k = 0
  for bucket in string.gmatch(ARGV[4], '%d+') do
    k = k + 1
    if touched[KEYS[k]] then
      redis.call('SETBIT', KEYS[#KEYS - 1], tonumber(bucket), redis.call('EXISTS', KEYS[k]))
    end
  end
end
return changed
