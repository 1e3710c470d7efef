--[[
  Looks up numbers of one audience group (audience.ts): whether each is suppressed, inside its 24-hour
  window, frequency-capped or marked by a 131049 answer. Read only.

  The numbers come packed in one argument, and the script finds each one's bucket key itself (what keys.ts
  builds, from the group's key prefix): per number the caller then spends a few bytes, not two arguments and a
  key. Every key read shares the group's hash tag with KEYS[1], so a Redis Cluster runs it on the right slot.

  KEYS[1]    the group's suppressed-numbers counter (declares the slot; not read)
  ARGV[1]    the group's key prefix (keys.audienceGroup)
  ARGV[2]    K: what to look at, then ARGV[3..K+2] one spec each: kind letter (`s`, `w`, `f`, `m`), the day
             of the keys (empty for `s`), `:`, the oldest value (unix seconds) that counts (`s`: any)
  ARGV[K+3]  the numbers, comma-separated (digits only, all ending in this group's digit)

  Returns one character per number: '0' + the sum of the kinds found (s 1, w 2, f 4, m 8).
]]
local prefix = ARGV[1]
local K = tonumber(ARGV[2])
local BIT = { s = 1, w = 2, f = 4, m = 8 }
local kinds, keyPrefixes, mins, bits = {}, {}, {}, {}
for j = 1, K do
  local kind, day, min = string.match(ARGV[2 + j], '^(%a)(%d*):(%d+)$')
  kinds[j], keyPrefixes[j], mins[j], bits[j] = kind, prefix .. kind .. day .. ':', tonumber(min), BIT[kind]
end
local out = {}
for n in string.gmatch(ARGV[K + 3], '%d+') do
  local bucket, field
  if #n > 5 then
    bucket, field = string.sub(n, -5, -2), string.sub(n, 1, -6)
  else
    bucket, field = string.sub(string.rep('0', 5 - #n) .. n, 1, 4), '~' .. n
  end
  local flags = 0
  for j = 1, K do
    local bit = bits[j]
    if flags % (bit * 2) < bit then
      local v = redis.call('HGET', keyPrefixes[j] .. bucket, field)
      if v and (kinds[j] == 's' or tonumber(v) >= mins[j]) then flags = flags + bit end
    end
  end
  out[#out + 1] = string.char(48 + flags)
end
return table.concat(out)
