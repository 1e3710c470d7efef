--[[
  Records the outcomes of some recipients of one chunk, once each, and keeps the campaign's counters
  and status in step with them, atomically.

  An outcome already terminal (sent `s`, failed `f` or skipped `k`) is never overwritten, so a re-run
  chunk, a retried flush or a second worker after a crash can never double-count. A retrying outcome
  (`r`) may be overwritten by anything. Only an outcome's first letter (its kind) is read here: see
  outcome-codec.ts.

  KEYS[1] meta       campaign hash (status, accepted, timestamps)
  KEYS[2] counts     campaign counters (sent, failed, skipped)
  KEYS[3] failures   failure counts by code, `m:<code>` last message; skips as `k:<code>`, `m:k:<code>`
  KEYS[4] perSecond  unix second -> terminal outcomes recorded (current rate)
  KEYS[5] outcomes   chunk's hash: index -> outcome
  KEYS[6] breaker    campaign breaker window: `n` requests counted, `r:<slot>` code of each of the last
                     `window` requests (absent: sent, or no upstream code), `c:<code>` its count among
                     them, `resumed` once a trip spent the first-requests rule

  ARGV[1] now, ms
  ARGV[2] now, unix seconds
  ARGV[3] breaker: first requests judged on their own (50)
  ARGV[4] breaker: sliding window of requests (200)
  ARGV[5] breaker: share of them one code must fail to trip it (0.5)
  ARGV[6..] groups of four: index, outcome (encoded), code and message ('' unless failed or skipped)

  Canary: when the campaign holds `canary_n` / `canary_ratio` / `canary_state = pending`, the call
  that brings sent + failed to canary_n decides it: a failure ratio above canary_ratio pauses the
  campaign with the reason; otherwise the canary passes and the caller enqueues the held chunks.

  Campaign breaker (SPEC §13): each sent or failed outcome recorded while the campaign is running is one
  request (skipped ones are not). When one upstream code (all digits) fails half of the campaign's first
  ARGV[3] requests, or half of its last ARGV[4], the campaign pauses with the code in `paused_reason`; it trips
  as soon as the share is certain (25 failures within the first 50 are half of them whatever comes next).
  A trip empties the window: a resumed campaign is judged on fresh requests, by the sliding window only.
  Outcomes recorded while the campaign is paused (requests that were in flight) do not count.

  Returns { applied, already terminal, completed (1 when this call finished the campaign),
            canary (1 when this call passed the canary, -1 when it failed it, else 0),
            sent, failed, skipped (newly recorded), breaker (1 when this call tripped it) }
]]
local firstN, window, share = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local needFirst, needWindow = math.ceil(firstN * share), math.ceil(window * share)
local status = redis.call('HGET', KEYS[1], 'status')
local counting = status == 'running' or status == 'queued'
local resumed = redis.call('HEXISTS', KEYS[6], 'resumed') == 1
local trip

-- Counts one request in the breaker window; returns the trip's reason when this one trips it.
local function countRequest(code, message)
  local n = redis.call('HINCRBY', KEYS[6], 'n', 1)
  local slot = 'r:' .. (n % window)
  local old = redis.call('HGET', KEYS[6], slot)
  if old then redis.call('HINCRBY', KEYS[6], 'c:' .. old, -1) end
  if code == '' then
    if old then redis.call('HDEL', KEYS[6], slot) end
    return nil
  end
  redis.call('HSET', KEYS[6], slot, code)
  local c = redis.call('HINCRBY', KEYS[6], 'c:' .. code, 1)
  local first = not resumed and n <= firstN
  if (first and c >= needFirst) or c >= needWindow then
    local named = message == '' and code or string.format('%s (%s)', code, string.sub(message, 1, 120))
    return string.format('campaign breaker: %s failed %d of the %s %d requests; fix the cause, then resume '
      .. '(the count starts afresh) or cancel', named, c, first and 'first' or 'last', math.min(n, window))
  end
  return nil
end

local applied, already, sent, failed, skipped = 0, 0, 0, 0, 0
for i = 6, #ARGV, 4 do
  local idx, val = ARGV[i], ARGV[i + 1]
  local cur = redis.call('HGET', KEYS[5], idx)
  local curKind = cur and string.sub(cur, 1, 1)
  if curKind == 's' or curKind == 'f' or curKind == 'k' then
    already = already + 1
  else
    redis.call('HSET', KEYS[5], idx, val)
    applied = applied + 1
    local kind = string.sub(val, 1, 1)
    if kind == 's' then
      sent = sent + 1
      if counting and not trip then trip = countRequest('', '') end
    elseif kind == 'f' or kind == 'k' then
      local reason = ARGV[i + 2]
      if kind == 'f' then failed = failed + 1 else skipped = skipped + 1; reason = 'k:' .. reason end
      redis.call('HINCRBY', KEYS[3], reason, 1)
      redis.call('HSET', KEYS[3], 'm:' .. reason, ARGV[i + 3])
      if kind == 'f' and counting and not trip then
        trip = countRequest(string.match(ARGV[i + 2], '^%d+$') and ARGV[i + 2] or '', ARGV[i + 3])
      end
    end
  end
end

if sent > 0 then redis.call('HINCRBY', KEYS[2], 'sent', sent) end
if failed > 0 then redis.call('HINCRBY', KEYS[2], 'failed', failed) end
if skipped > 0 then redis.call('HINCRBY', KEYS[2], 'skipped', skipped) end
local ended = sent + failed + skipped
if ended > 0 then
  redis.call('HINCRBY', KEYS[4], ARGV[2], ended)
  redis.call('HDEL', KEYS[4], tostring(tonumber(ARGV[2]) - 60))
  redis.call('PEXPIRE', KEYS[4], 3600000)
end

local completed, canary, breaker = 0, 0, 0
if applied > 0 then
  redis.call('HSET', KEYS[1], 'updated_at', ARGV[1])
  if status == 'queued' then
    status = 'running'
    redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', ARGV[1])
  end
end
if ended > 0 and (status == 'running' or status == 'paused') then
  local accepted = tonumber(redis.call('HGET', KEYS[1], 'accepted') or '0')
  local counts = redis.call('HMGET', KEYS[2], 'sent', 'failed', 'skipped')
  if tonumber(counts[1] or '0') + tonumber(counts[2] or '0') + tonumber(counts[3] or '0') >= accepted then
    redis.call('HSET', KEYS[1], 'status', 'completed', 'completed_at', ARGV[1])
    completed = 1
    status = 'completed'
  end
end
if ended > 0 then
  local c = redis.call('HMGET', KEYS[1], 'canary_state', 'canary_n', 'canary_ratio')
  if c[1] == 'pending' then
    local counts = redis.call('HMGET', KEYS[2], 'sent', 'failed', 'skipped')
    local s, f = tonumber(counts[1] or '0') + tonumber(counts[3] or '0'), tonumber(counts[2] or '0')
    if s + f >= tonumber(c[2]) then
      if f / (s + f) > tonumber(c[3]) then
        canary = -1
        redis.call('HSET', KEYS[1], 'canary_state', 'failed')
        if status == 'running' or status == 'queued' then
          redis.call('HSET', KEYS[1], 'status', 'paused', 'paused_reason',
            string.format('canary failed: %d of the first %d messages failed (more than %d%%); '
              .. 'check the failure reasons, then resume or cancel', f, s + f, math.floor(tonumber(c[3]) * 100 + 0.5)))
          status = 'paused'
        end
      else
        canary = 1
        redis.call('HSET', KEYS[1], 'canary_state', 'passed')
      end
    end
  end
end
if trip then
  redis.call('DEL', KEYS[6])
  redis.call('HSET', KEYS[6], 'resumed', '1')
  if status == 'running' then
    redis.call('HSET', KEYS[1], 'status', 'paused', 'paused_reason', trip)
    breaker = 1
  end
end
return { applied, already, completed, canary, sent, failed, skipped, breaker }
