--[[
  Fair share between bulk campaigns across every worker (SPEC §10): each campaign's virtual time is the
  sends it has had ÷ its weight, summed over all workers. A worker reports what its permits handed out since
  its last call and gets back the totals, so that it serves first the campaigns that are behind everywhere,
  not only in its own process (a campaign whose chunks sit mostly in one worker still gets its share).

  The floor is the least virtual time of the campaigns some worker had waiting sends for within `active` ms:
  a worker holds back a campaign that is too far ahead of it. A campaign seen for the first time, or back after
  waiting for nothing for longer than `idle`, starts from the floor (weighted fair queueing): it neither starves
  the others to catch up nor waits for them. Campaigns unreported for `forget` ms are dropped.

  KEYS[1] hash: v:<campaign> → virtual time, t:<campaign> → last time a worker had sends waiting (ms)

  ARGV[1] active, ms
  ARGV[2] idle, ms
  ARGV[3] forget, ms
  ARGV[4..] triples: campaign id, virtual time served since the last report, 1 if sends are waiting (else 0)

  Returns the virtual time of each reported campaign, in order, then the floor ('' when none), as strings.
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local active = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])
local forget = tonumber(ARGV[3])
local v, at = {}, {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local id = string.sub(all[i], 3)
  if string.sub(all[i], 1, 1) == 'v' then v[id] = tonumber(all[i + 1]) else at[id] = tonumber(all[i + 1]) end
end
local floor
for id, last in pairs(at) do
  if now - last > forget then
    redis.call('HDEL', KEYS[1], 'v:' .. id, 't:' .. id)
    v[id] = nil
    at[id] = nil
  elseif now - last <= active and v[id] and (floor == nil or v[id] < floor) then
    floor = v[id]
  end
end
local out = {}
for i = 4, #ARGV, 3 do
  local id = ARGV[i]
  local cur = v[id]
  if floor and (cur == nil or at[id] == nil or now - at[id] > idle) then cur = math.max(cur or floor, floor) end
  cur = (cur or 0) + tonumber(ARGV[i + 1])
  redis.call('HSET', KEYS[1], 'v:' .. id, string.format('%.6f', cur))
  v[id] = cur
  if ARGV[i + 2] == '1' or at[id] == nil then
    redis.call('HSET', KEYS[1], 't:' .. id, now)
    at[id] = now
  end
  out[#out + 1] = string.format('%.6f', cur)
end
-- The floor as it is now, this report included.
floor = nil
for id, last in pairs(at) do
  if now - last <= active and v[id] and (floor == nil or v[id] < floor) then floor = v[id] end
end
redis.call('PEXPIRE', KEYS[1], forget)
out[#out + 1] = floor and string.format('%.6f', floor) or ''
return out
