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
  KEYS[6] breaker    campaign breaker: `f` failed requests counted, `p:<code>` the positions of the last
                     requests that code failed, `resumed` once a trip spent the first-requests rule

  ARGV[1] now, ms
  ARGV[2] now, unix seconds
  ARGV[3] breaker: first requests judged on their own (50)
  ARGV[4] breaker: sliding window of requests (200)
  ARGV[5] breaker: share of them one code must fail to trip it (0.5)
  ARGV[6] the campaign's outbox (keys.outbox), '' when no event endpoint exists (SPEC §16)
  ARGV[7] the message index of the chunk's first recipient (chunk × chunk size)
  ARGV[8..] groups of four: index, outcome (encoded), code and message ('' unless failed or skipped)

  Events: with an outbox, each outcome newly recorded adds `t <s|f|k> i <message index>`, a completion `t C` and a
  pause `t P`, in this same step: an event exists exactly when its change happened.

  Canary: when the campaign holds `canary_n` / `canary_ratio` / `canary_state = pending`, the call
  that brings sent + failed to canary_n decides it: a failure ratio above canary_ratio pauses the
  campaign with the reason; otherwise the canary passes and the caller enqueues the held chunks.

  Campaign breaker (SPEC §13): each sent or failed outcome recorded while the campaign is running is one
  request (skipped ones are not). When one upstream code (all digits) fails half of the campaign's first
  ARGV[3] requests, or half of its last ARGV[4], the campaign pauses with the code in `paused_reason`; it trips
  as soon as the share is certain (25 failures within the first 50 are half of them whatever comes next).
  A trip empties the window: a resumed campaign is judged on fresh requests, by the sliding window only.
  Outcomes recorded while the campaign is paused (requests that were in flight) do not count, nor do those of
  API messages (`source` api).

  Retention (SPEC §22): a campaign that has ended has a TTL on its hash (retention.ts). Keys this call creates
  after that (an in-flight request's outcome landing after a cancel: a chunk's first outcome, the first failure)
  take the campaign hash's remaining TTL, so nothing outlives the campaign.

  Returns { applied, already terminal, completed (1 when this call finished the campaign),
            canary (1 when this call passed the canary, -1 when it failed it, else 0),
            sent, failed, skipped (newly recorded), breaker (1 when this call tripped it) }
]]
local firstN, window, share = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local outbox, base = ARGV[6], tonumber(ARGV[7])
local function event(kind, index)
  if outbox == '' then return end
  if index then redis.call('XADD', outbox, '*', 't', kind, 'i', index)
  else redis.call('XADD', outbox, '*', 't', kind) end
end
-- Everything this call reads of the campaign hash, in one read.
local meta = redis.call('HMGET', KEYS[1], 'status', 'source', 'accepted', 'canary_state', 'canary_n', 'canary_ratio')
local status = meta[1]
-- The campaign is gone (expired, or never committed): writing would create keys that nothing expires.
if not status then return { 0, 0, 0, 0, 0, 0, 0, 0 } end
-- API messages (one campaign per call) are not judged: nobody watches such a campaign to resume it, and each
-- message answers for itself.
local counting = (status == 'running' or status == 'queued') and meta[2] ~= 'api'
-- This call's requests for the breaker, in order: the upstream code that failed each ('' when none) and its message.
local requests, SENT, anyFailed = {}, { '', '' }, false

-- Counts `requests` into the breaker window. A request's position is the campaign's sent counter plus the
-- failed requests the breaker has counted (`f`): both only grow (retry-failed lowers `failed`, never `sent` or `f`),
-- so a call whose requests all went well reads and writes nothing here. A failure appends its position to its code's
-- `p:<code>` list (the last `window * share` of them are kept). Returns the reason when a request trips it; the rest
-- are then not counted.
local function judge(sentBefore)
  local needFirst, needWindow = math.ceil(firstN * share), math.ceil(window * share)
  local positions, names, fields = {}, {}, { 'f', 'resumed' }
  for _, r in ipairs(requests) do
    if r[1] ~= '' and not positions[r[1]] then
      positions[r[1]] = {}; names[#names + 1] = r[1]; fields[#fields + 1] = 'p:' .. r[1]
    end
  end
  local b = redis.call('HMGET', KEYS[6], unpack(fields))
  local f, resumed = tonumber(b[1] or '0'), b[2] ~= false
  for i, code in ipairs(names) do
    for at in string.gmatch(b[i + 2] or '', '%d+') do table.insert(positions[code], tonumber(at)) end
  end
  local n = sentBefore + f
  for _, r in ipairs(requests) do
    n = n + 1
    local code = r[1]
    if r ~= SENT then f = f + 1 end
    if code ~= '' then
      local list = positions[code]
      table.insert(list, n)
      if #list > needWindow then table.remove(list, 1) end
      local first = not resumed and n <= firstN
      -- Half of the first requests, or `needWindow` failures within the last `window` requests.
      if (first and #list >= needFirst) or (#list >= needWindow and list[#list - needWindow + 1] > n - window) then
        local named = r[2] == '' and code or string.format('%s (%s)', code, string.sub(r[2], 1, 120))
        return string.format('campaign breaker: %s failed %d of the %s %d requests; fix the cause, then resume '
          .. '(the count starts afresh) or cancel', named, first and #list or needWindow, first and 'first' or 'last',
          math.min(n, window))
      end
    end
  end
  local set = { 'f', f }
  for _, code in ipairs(names) do
    -- Positions that left the window (and the first requests, once past them) no longer matter.
    local kept = {}
    for _, at in ipairs(positions[code]) do if at > n - window then kept[#kept + 1] = at end end
    set[#set + 1] = 'p:' .. code
    set[#set + 1] = table.concat(kept, ',')
  end
  redis.call('HSET', KEYS[6], unpack(set))
  return nil
end

local applied, already, sent, failed, skipped = 0, 0, 0, 0, 0
for i = 8, #ARGV, 4 do
  local idx, val = ARGV[i], ARGV[i + 1]
  local cur = redis.call('HGET', KEYS[5], idx)
  local curKind = cur and string.sub(cur, 1, 1)
  if curKind == 's' or curKind == 'f' or curKind == 'k' then
    already = already + 1
  else
    redis.call('HSET', KEYS[5], idx, val)
    applied = applied + 1
    local kind = string.sub(val, 1, 1)
    if kind == 's' or kind == 'f' or kind == 'k' then event(kind, base + tonumber(idx)) end
    if kind == 's' then
      sent = sent + 1
      if counting then requests[#requests + 1] = SENT end
    elseif kind == 'f' or kind == 'k' then
      local reason = ARGV[i + 2]
      if kind == 'f' then failed = failed + 1 else skipped = skipped + 1; reason = 'k:' .. reason end
      redis.call('HINCRBY', KEYS[3], reason, 1)
      redis.call('HSET', KEYS[3], 'm:' .. reason, ARGV[i + 3])
      if kind == 'f' and counting then
        requests[#requests + 1] = { string.match(ARGV[i + 2], '^%d+$') and ARGV[i + 2] or '', ARGV[i + 3] }
        anyFailed = true
      end
    end
  end
end

local totals = { 0, 0, 0 }
if sent > 0 then totals[1] = redis.call('HINCRBY', KEYS[2], 'sent', sent) end
if failed > 0 then totals[2] = redis.call('HINCRBY', KEYS[2], 'failed', failed) end
if skipped > 0 then totals[3] = redis.call('HINCRBY', KEYS[2], 'skipped', skipped) end
local ended = sent + failed + skipped
if ended > 0 then
  -- The counters this call did not move, read once (completion and canary need all three).
  if sent == 0 or failed == 0 or skipped == 0 then
    local c = redis.call('HMGET', KEYS[2], 'sent', 'failed', 'skipped')
    for j = 1, 3 do totals[j] = tonumber(c[j] or '0') end
  end
  redis.call('HINCRBY', KEYS[4], ARGV[2], ended)
  redis.call('HDEL', KEYS[4], tostring(tonumber(ARGV[2]) - 60))
  redis.call('PEXPIRE', KEYS[4], 3600000)
end

-- Only a failed request can trip the breaker: a call without one leaves its window alone (see judge).
local trip = anyFailed and judge(totals[1] - sent) or nil

local completed, canary, breaker = 0, 0, 0
if applied > 0 then
  redis.call('HSET', KEYS[1], 'updated_at', ARGV[1])
  if status == 'queued' then
    status = 'running'
    redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', ARGV[1])
  end
end
if ended > 0 and (status == 'running' or status == 'paused') then
  if totals[1] + totals[2] + totals[3] >= tonumber(meta[3] or '0') then
    redis.call('HSET', KEYS[1], 'status', 'completed', 'completed_at', ARGV[1])
    completed = 1
    status = 'completed'
    event('C')
  end
end
if ended > 0 and meta[4] == 'pending' then
  local s, f = totals[1] + totals[3], totals[2]
  if s + f >= tonumber(meta[5]) then
    if f / (s + f) > tonumber(meta[6]) then
      canary = -1
      redis.call('HSET', KEYS[1], 'canary_state', 'failed')
      if status == 'running' or status == 'queued' then
        redis.call('HSET', KEYS[1], 'status', 'paused', 'paused_reason',
          string.format('canary failed: %d of the first %d messages failed (more than %d%%); '
            .. 'check the failure reasons, then resume or cancel', f, s + f, math.floor(tonumber(meta[6]) * 100 + 0.5)))
        status = 'paused'
        event('P')
      end
    else
      canary = 1
      redis.call('HSET', KEYS[1], 'canary_state', 'passed')
    end
  end
end
if trip then
  redis.call('DEL', KEYS[6])
  redis.call('HSET', KEYS[6], 'resumed', '1')
  if status == 'running' then
    redis.call('HSET', KEYS[1], 'status', 'paused', 'paused_reason', trip)
    breaker = 1
    event('P')
  end
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  for _, k in ipairs({ KEYS[2], KEYS[3], KEYS[5], KEYS[6], outbox ~= '' and outbox or KEYS[2] }) do
    if redis.call('PTTL', k) == -1 then redis.call('PEXPIRE', k, ttl) end
  end
end
return { applied, already, completed, canary, sent, failed, skipped, breaker }
