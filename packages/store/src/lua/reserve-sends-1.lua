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
  ARGV[4] floor, µs on Redis's clock: where this caller's last granted slots ended ('0' for none). A `tat`
          behind it was lost (Redis came back without its last writes: an AOF fsynced once a second after a
          host loss, a failover to a lagging replica); the schedule resumes from it, not from the slots this
          caller already holds. Ignored when further ahead than the horizon and an interval (a clock that
          jumped).

  Returns { granted, µs from now until the first granted slot (or until worth asking again),
            1 when the single granted slot is a probe, pause reason or '', µs where the granted slots end
            (the caller's next floor; 0 when none granted) }
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

local tat = tonumber(h[1] or '0')
local interval = tonumber(ARGV[1])
local floor = tonumber(ARGV[4] or '0')
if tat < floor and floor <= now + tonumber(ARGV[3]) + interval then
  -- Kept even when nothing is granted now: the other workers' next slots come after it too.
  tat = floor
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat))
end
if tat < now then tat = now end
-- Slots tat, tat + interval, … that fall within the horizon (at least one when tat itself does,
-- so a rate slower than one per horizon still gets its slot).
local ahead = now + tonumber(ARGV[3]) - tat
if ahead < 0 then
  return { 0, -ahead, 0, '' }
end
local room = math.floor(ahead / interval) + 1
local granted = math.min(tonumber(ARGV[2]), room)
local ends = tat + granted * interval
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', ends))
return { granted, tat - now, 0, '', ends }
