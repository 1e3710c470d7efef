--[[
  Reserves send slots from the one global send rate (GCRA: a theoretical arrival time `tat` that
  advances one interval per message). Slots are spaced exactly one interval apart on Redis's clock,
  so no one-second window holds more than rate + 1 sends, whichever worker or host sends them.
  Reservations reach at most `horizon` into the future so that a worker never hoards slots.

  While the system pause is set (wrong API key, upstream outage) no slot is granted, except one probe
  every `every` microseconds: the worker that gets it sends one message to find out whether the
  upstream is back.

  KEYS[1] send-rate hash: tat (µs), reason, code, every (µs), probe (µs, next probe allowed)

  ARGV[1] interval between sends, µs
  ARGV[2] slots wanted
  ARGV[3] horizon, µs

  Returns { granted, µs from now until the first granted slot (or until worth asking again),
            1 when the single granted slot is a probe, pause reason or '' }
]]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local h = redis.call('HMGET', KEYS[1], 'tat', 'reason', 'every', 'probe')
if h[2] then
  local probe = tonumber(h[4] or '0')
  if now >= probe then
    redis.call('HSET', KEYS[1], 'probe', string.format('%.0f', now + tonumber(h[3] or '5000000')))
    return { 1, 0, 1, h[2] }
  end
  return { 0, probe - now, 0, h[2] }
end

local interval = tonumber(ARGV[1])
local tat = tonumber(h[1] or '0')
if tat < now then tat = now end
-- Slots tat, tat + interval, … that fall within the horizon (at least one when tat itself does,
-- so a rate slower than one per horizon still gets its slot).
local ahead = now + tonumber(ARGV[3]) - tat
if ahead < 0 then
  return { 0, -ahead, 0, '' }
end
local room = math.floor(ahead / interval) + 1
local granted = math.min(tonumber(ARGV[2]), room)
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat + granted * interval))
return { granted, tat - now, 0, '' }
