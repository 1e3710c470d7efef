--[[
  Chooses the sender of each recipient of a chunk and admits it (SPEC §15), in one atomic step:
  - sticky: a number messaged by a sender within `sticky` ms gets that sender again while it is active
    (hashes per `sticky` epoch: this one and the last are read);
  - new numbers go to the active sender that frees earliest (`busy:<id>`: when its assigned work ends at
    its rate), preferring one whose portfolio has room for the number;
  - messaging limit: a portfolio with a limit admits a number only when it is inside its 24-hour window
    (exempt), already counted in the rolling window (repeats are free), or the count is under the limit
    (then it is counted). Counted and checked here, in one script, so no number of workers overshoots;
  - pair rate: two requests to one number from one sender at least `pair` ms apart. A recipient whose
    last request (by this sender) is closer waits; one that may go is stamped with now + `margin`.

  KEYS[1] sender state hash: `p:<id>` paused (reason), `busy:<id>` ms
  ARGV[1] now ms; ARGV[2] key prefix of the other sender keys (same hash tag as KEYS[1]);
  ARGV[3] sticky ms (0: none); ARGV[4] pair interval ms (0: none); ARGV[5] messaging window ms;
  ARGV[6] pair margin ms; ARGV[7] senders n; then n × (id, rate, portfolio, limit or -1);
  then per recipient: number, flags (1: inside its window, 2: a retry of a message already requested,
  which the pair rate leaves alone).
  Returns per recipient: sender index (1-based; 0 none), status (0 go, 1 messaging limit, 2 pair rate,
  3 no active sender), until ms (when it may go; 0 at once).
]]
local now = tonumber(ARGV[1])
local p = ARGV[2]
local stickyMs = tonumber(ARGV[3])
local pairMs = tonumber(ARGV[4])
local windowMs = tonumber(ARGV[5])
local margin = tonumber(ARGV[6])
local n = tonumber(ARGV[7])
local ids, rates, ports, limits, busy, active, byId = {}, {}, {}, {}, {}, {}, {}
local a = 8
for s = 1, n do
  ids[s] = ARGV[a]
  rates[s] = tonumber(ARGV[a + 1])
  ports[s] = ARGV[a + 2]
  limits[s] = tonumber(ARGV[a + 3])
  a = a + 4
  byId[ids[s]] = s
  local st = redis.call('HMGET', KEYS[1], 'p:' .. ids[s], 'busy:' .. ids[s])
  active[s] = not st[1]
  busy[s] = math.max(tonumber(st[2] or '0'), now)
end

local nums, flags = {}, {}
for j = a, #ARGV, 2 do
  nums[#nums + 1] = ARGV[j]
  flags[#flags + 1] = tonumber(ARGV[j + 1])
end
local m = #nums
if m == 0 then return {} end

-- Every read is one command for the whole chunk (HMGET, ZMSCORE): a chunk costs a few commands, not a few per number.
local tiers = {}
local function tierOf(s)
  local t = tiers[ports[s]]
  if not t then
    local key = p .. 'tier:' .. ports[s]
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - windowMs)
    local scores = redis.call('ZMSCORE', key, unpack(nums))
    local counted = {}
    for i = 1, m do
      if scores[i] then counted[nums[i]] = true end
    end
    t = { key = key, count = redis.call('ZCARD', key), counted = counted, added = {} }
    tiers[ports[s]] = t
  end
  return t
end

local function hasRoom(s, i, inWin)
  if limits[s] < 0 or inWin then return true end
  local t = tierOf(s)
  return t.count < limits[s] or t.counted[nums[i]] == true
end

-- Counts the number when it must be counted; false and when the budget frees when there is no room.
local function admit(s, i, inWin)
  if limits[s] < 0 or inWin then return true, 0 end
  local t = tierOf(s)
  local num = nums[i]
  if t.counted[num] then return true, 0 end
  if t.count < limits[s] then
    t.counted[num] = true
    t.count = t.count + 1
    t.added[#t.added + 1] = now
    t.added[#t.added + 1] = num
    return true, 0
  end
  local oldest = redis.call('ZRANGE', t.key, 0, 0, 'WITHSCORES')
  return false, tonumber(oldest[2] or now) + windowMs
end

-- The pair rate: each sender's last request per number, from the buckets of the last two intervals and more.
local slot = pairMs > 0 and math.floor(now / pairMs) or 0
local lasts, stamps = {}, {}
local function lastOf(s, i)
  local l = lasts[s]
  if not l then
    l = {}
    for d = 0, 2 do
      local got = redis.call('HMGET', p .. 'pr:' .. ids[s] .. ':' .. (slot - d), unpack(nums))
      for k = 1, m do
        local v = tonumber(got[k])
        if v and (not l[nums[k]] or v > l[nums[k]]) then l[nums[k]] = v end
      end
    end
    lasts[s] = l
    stamps[s] = {}
  end
  return l[nums[i]]
end

local sticky = {}
local stickyKey = nil
local stickyNew = {}
if stickyMs > 0 then
  local epoch = math.floor(now / stickyMs)
  stickyKey = p .. 'st:' .. epoch
  local cur = redis.call('HMGET', stickyKey, unpack(nums))
  local old = redis.call('HMGET', p .. 'st:' .. (epoch - 1), unpack(nums))
  for i = 1, m do
    local v = cur[i] or old[i]
    if v then
      local c = string.find(v, ':', 1, true)
      local k = byId[string.sub(v, 1, c - 1)]
      if k and active[k] and tonumber(string.sub(v, c + 1)) >= now - stickyMs then sticky[i] = k end
    end
  end
end

local out = {}
for i = 1, m do
  local inWin = flags[i] % 2 == 1
  local retry = flags[i] >= 2
  local s = sticky[i]
  if not s then
    local room = false
    for k = 1, n do
      if active[k] then
        local r = hasRoom(k, i, inWin)
        if (r and not room) or (r == room and (not s or busy[k] < busy[s])) then
          s = k
          room = r
        end
      end
    end
  end
  if not s then
    out[#out + 1] = 0
    out[#out + 1] = 3
    out[#out + 1] = 0
  else
    local ok, untilMs = admit(s, i, inWin)
    local status = 0
    if not ok then
      status = 1
    elseif pairMs > 0 and not retry then
      local last = lastOf(s, i)
      if last and now < last + pairMs then
        status = 2
        untilMs = last + pairMs
      else
        lasts[s][nums[i]] = now + margin
        local st = stamps[s]
        st[#st + 1] = nums[i]
        st[#st + 1] = now + margin
      end
    end
    if status == 0 then
      busy[s] = busy[s] + 1000 / rates[s]
      if stickyKey then
        sticky[i] = s
        stickyNew[#stickyNew + 1] = nums[i]
        stickyNew[#stickyNew + 1] = ids[s] .. ':' .. now
      end
    end
    out[#out + 1] = s
    out[#out + 1] = status
    out[#out + 1] = untilMs
  end
end
for s = 1, n do
  redis.call('HSET', KEYS[1], 'busy:' .. ids[s], string.format('%.0f', busy[s]))
end
for _, t in pairs(tiers) do
  if #t.added > 0 then
    redis.call('ZADD', t.key, unpack(t.added))
    redis.call('PEXPIRE', t.key, windowMs + 60000)
  end
end
for s, st in pairs(stamps) do
  if #st > 0 then
    local key = p .. 'pr:' .. ids[s] .. ':' .. slot
    redis.call('HSET', key, unpack(st))
    redis.call('PEXPIRE', key, 3 * pairMs + margin + 1000)
  end
end
if stickyKey and #stickyNew > 0 then
  redis.call('HSET', stickyKey, unpack(stickyNew))
  redis.call('PEXPIRE', stickyKey, 2 * stickyMs)
end
return out
