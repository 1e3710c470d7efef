--[[
  Looks wamids up in the delivery webhook's index: the day hashes of ONE bucket (one hash tag), newest
  first. A day that does not exist costs one EXISTS; a wamid found is not looked for in older days.
  The wamids are sent once for all the days, and only the hits come back.

  KEYS   the bucket's 8 day hashes (WAMID_INDEX_DAYS + 1; wamid -> message id), newest first
  ARGV   the wamids

  Returns a flat list: the 1-based position in ARGV of each wamid found, then its message id.
]]
local found = {}
local left = {}
for i = 1, #ARGV do left[i] = i end
-- unpack() has a stack limit: HMGET in slices.
local SLICE = 1000
for _, key in ipairs(KEYS) do
  if #left == 0 then break end
  if redis.call('EXISTS', key) == 1 then
    local still = {}
    for from = 1, #left, SLICE do
      local batch = {}
      for j = from, math.min(from + SLICE - 1, #left) do batch[#batch + 1] = ARGV[left[j]] end
      local ids = redis.call('HMGET', key, unpack(batch))
      for j = 1, #batch do
        local at = left[from + j - 1]
        if ids[j] then
          found[#found + 1] = at
          found[#found + 1] = ids[j]
        else
          still[#still + 1] = at
        end
      end
    end
    left = still
  end
end
return found
