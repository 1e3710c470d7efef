--[[
  Looks up numbers of one audience group (audience.ts): whether each is suppressed, inside its 24-hour
  window, frequency-capped or marked by a 131049 answer. Read only. Every key shares the group's hash tag.

  KEYS       K keys per bucket, bucket after bucket (the caller lists each bucket it needs once)
  ARGV[1]    K
  ARGV[2..K+1] what key j of a bucket holds: its kind letter (`s`, `w`, `f`, `m`) followed by the oldest
             value (unix seconds) that counts; a suppression (`s`) counts whatever its value
  ARGV[K+2..] pairs: bucket ordinal (1-based), field

  Returns one integer per pair: the sum of the kinds found (s 1, w 2, f 4, m 8).
]]
local K = tonumber(ARGV[1])
local BIT = { s = 1, w = 2, f = 4, m = 8 }
local kinds, mins, bits = {}, {}, {}
for j = 1, K do
  local spec = ARGV[1 + j]
  kinds[j] = string.sub(spec, 1, 1)
  mins[j] = tonumber(string.sub(spec, 2)) or 0
  bits[j] = BIT[kinds[j]]
end
local out = {}
for i = K + 2, #ARGV, 2 do
  local base = (tonumber(ARGV[i]) - 1) * K
  local field = ARGV[i + 1]
  local flags = 0
  for j = 1, K do
    local bit = bits[j]
    if flags % (bit * 2) < bit then
      local v = redis.call('HGET', KEYS[base + j], field)
      if v and (kinds[j] == 's' or tonumber(v) >= mins[j]) then flags = flags + bit end
    end
  end
  out[#out + 1] = flags
end
return out
