--[[
  Applies inbound messages of one audience group (audience.ts applyInbound, SPEC §21): each at most once (by its
  message id), an opt-out or opt-in only when it is newer than the number's latest applied one and not older
  than the horizon. Every key is built from the group's key prefix and shares its hash tag with KEYS.

  KEYS[1..3] the group's suppressed-numbers counter, bitmap of non-empty suppression buckets and prefilter, kept
             in step as audience-write-3.lua keeps them
  ARGV[1]    the group's key prefix (keys.audienceGroup): suppression buckets `s:<bucket>`, keyword order buckets
             `k:<bucket>` (keys.audienceKeywords), seen message ids `in:<id>` (keys.inboundSeen)
  ARGV[2]    now (unix seconds); ARGV[3] the horizon (seconds): an event older than now - horizon changes no
             suppression; seen ids and keyword order are kept that long (and an hour)
  ARGV[4]    the value base of a keyword suppression: source `keyword` × 2^42 + the opt-out reason's id
             (audience.ts encodes a suppression as source × 2^42 + unix second × 1024 + reason id)
  ARGV[5..]  4 per event, in time order: number (digits, this group's), message id (empty: none), unix second
             (not after now), action (`o` opt-out, `i` opt-in, `-` neither)

  A keyword order field holds `second × 2 + (1 for an opt-out)` of the number's latest applied keyword event. A
  START lifts only a `keyword` (1) or `upstream` (2) suppression, an upstream one only when written before it.

  Returns one character per event: `d` a duplicate id, `-` no keyword, `h` beyond the horizon, `x` older than the
  number's latest applied keyword, `S` suppressed, `A` already suppressed, `L` lifted, `K` START kept
  (an operator's or import's suppression, or an upstream one written after it), `N` START, nothing to lift.
]]
local prefix, now, horizon, base = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local SOURCE = 4398046511104 -- 2^42
local ttl = horizon + 3600
local out = {}
local changed = 0
local touched = {}
for e = 5, #ARGV, 4 do
  local n, id, at, action = ARGV[e], ARGV[e + 1], tonumber(ARGV[e + 2]), ARGV[e + 3]
  local r
  if id ~= '' and not redis.call('SET', prefix .. 'in:' .. id, '1', 'NX', 'EX', ttl) then
    r = 'd'
  elseif action == '-' then
    r = '-'
  elseif at < now - horizon then
    r = 'h'
  else
    local bucket, field
    if #n > 5 then
      bucket, field = string.sub(n, -5, -2), string.sub(n, 1, -6)
    else
      bucket, field = string.sub(string.rep('0', 5 - #n) .. n, 1, 4), '~' .. n
    end
    local orderKey = prefix .. 'k:' .. bucket
    local last = tonumber(redis.call('HGET', orderKey, field) or '-2')
    if at < math.floor(last / 2) then
      r = 'x'
    else
      redis.call('HSET', orderKey, field, at * 2 + (action == 'o' and 1 or 0))
      redis.call('EXPIRE', orderKey, ttl)
      local key = prefix .. 's:' .. bucket
      if action == 'o' then
        if redis.call('HSETNX', key, field, base + at * 1024) == 1 then
          r = 'S'
          changed = changed + 1
          touched[key] = bucket
          if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('SET', KEYS[3], string.rep('\0', 524288)) end
          local x = tonumber(string.sub(n, 1, -2)) or 0
          redis.call('SETBIT', KEYS[3], math.fmod(math.fmod(x, 65536) * 1000003 + math.floor(x / 65536), 4194301), 1)
        else
          r = 'A'
        end
      else
        local cur = redis.call('HGET', key, field)
        if not cur then
          r = 'N'
        else
          local v = tonumber(cur)
          local source = math.floor(v / SOURCE)
          local since = math.floor((v % SOURCE) / 1024)
          if source == 1 or (source == 2 and at >= since) then
            redis.call('HDEL', key, field)
            r = 'L'
            changed = changed - 1
            touched[key] = bucket
          else
            r = 'K'
          end
        end
      end
    end
  end
  out[#out + 1] = r
end
if changed ~= 0 then redis.call('INCRBY', KEYS[1], changed) end
for key, bucket in pairs(touched) do redis.call('SETBIT', KEYS[2], tonumber(bucket), redis.call('EXISTS', key)) end
return table.concat(out)
