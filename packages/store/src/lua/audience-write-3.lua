--[[
  Writes numbers of one audience group (audience.ts). Like audience-lookup, it takes the numbers packed and
  finds each one's bucket key from the group's key prefix; every key shares the group's hash tag with KEYS.

  KEYS[1]    the group's suppressed-numbers counter, KEYS[2] its bitmap of non-empty suppression buckets,
             KEYS[3] its prefilter (all kept in step by suppression writes only: the counter holds fields added
             minus removed, a bucket's bit is 1 while the bucket holds a field, a suppressed number's filter
             bit (audience.ts filterBit: a hash of the number less its last digit, modulo the prime 4194301) is
             set, never cleared)
  ARGV[1]    the group's key prefix (keys.audienceGroup)
  ARGV[2]    kind letter (`s`, `w`, `f`, `m`) and ARGV[3] the day of the keys (empty for `s`)
  ARGV[4]    `nx`: set the field when absent (suppress); `hold`: like `nx`, and also replace a suppression a
             customer may lift (source `keyword` or `upstream`: value ÷ 2^42 is 1 or 2) by this one (an
             operator's or an import's: it then stays until an operator lifts it; not counted as changed);
             `max`: set it when absent or smaller (a time); `del`: remove it
  ARGV[5]    unix second at which the written keys expire (0: never)
  ARGV[6]    the numbers, comma-separated (digits only, all ending in this group's digit)
  ARGV[7]    their values, comma-separated (integers), or one value for all (unused by `del`)

  Returns how many fields changed (added, raised or removed).
]]
local prefix, kind, day, op, expireAt = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local keyPrefix = prefix .. kind .. day .. ':'
local values = {}
for v in string.gmatch(ARGV[7], '%d+') do values[#values + 1] = v end
local changed = 0
local touched = {}
local i = 0
for n in string.gmatch(ARGV[6], '%d+') do
  i = i + 1
  local value = values[i] or values[1]
  local bucket, field
  if #n > 5 then
    bucket, field = string.sub(n, -5, -2), string.sub(n, 1, -6)
  else
    bucket, field = string.sub(string.rep('0', 5 - #n) .. n, 1, 4), '~' .. n
  end
  local key = keyPrefix .. bucket
  if op == 'nx' or op == 'hold' then
    local added = redis.call('HSETNX', key, field, value)
    changed = changed + added
    if added == 0 and op == 'hold' then
      local source = math.floor(tonumber(redis.call('HGET', key, field)) / 4398046511104)
      if source == 1 or source == 2 then redis.call('HSET', key, field, value) end
    end
    if kind == 's' then
      -- Created at its full size at once: grown by SETBIT, Redis would keep up to twice the room.
      if i == 1 and redis.call('EXISTS', KEYS[3]) == 0 then redis.call('SET', KEYS[3], string.rep('\0', 524288)) end
      local x = tonumber(string.sub(n, 1, -2)) or 0
      redis.call('SETBIT', KEYS[3], math.fmod(math.fmod(x, 65536) * 1000003 + math.floor(x / 65536), 4194301), 1)
    end
  elseif op == 'del' then
    changed = changed + redis.call('HDEL', key, field)
  else
    local cur = redis.call('HGET', key, field)
    if not cur or tonumber(cur) < tonumber(value) then
      redis.call('HSET', key, field, value)
      changed = changed + 1
    end
  end
  touched[key] = bucket
end
if expireAt > 0 then
  for key in pairs(touched) do redis.call('EXPIREAT', key, expireAt) end
end
if kind == 's' and changed > 0 then
  redis.call('INCRBY', KEYS[1], op == 'del' and -changed or changed)
  for key, bucket in pairs(touched) do redis.call('SETBIT', KEYS[2], tonumber(bucket), redis.call('EXISTS', key)) end
end
return changed
