--[[
  Keeps the furthest delivery status of one message (sent < delivered|failed < read), whatever order
  the webhook events arrive in, and the campaign's delivery counters with it. Only a stored delivery's
  status (up to its first `|`) is read here: see delivery-codec.ts.

  Counters: `delivered` counts messages delivered or read, `read` those read, `dfailed` those failed.

  KEYS[1] deliveries  chunk's hash: index -> encoded delivery
  KEYS[2] counts      campaign counters

  ARGV[1] index in chunk
  ARGV[2] status: sent | delivered | read | failed
  ARGV[3] the encoded delivery
  ARGV[4] the campaign's outbox (keys.outbox), '' when no event endpoint exists (SPEC §16)
  ARGV[5] the message's index in the campaign

  Events: with an outbox, a status that moved forward to delivered or read adds `t <d|r> i <index>` in this step (a
  stale or repeated status adds none).

  Retention (SPEC §22): once the campaign has ended its counters have a TTL (retention.ts); a chunk's delivery
  hash created after that (statuses arrive after completion) takes the counters' remaining TTL. When the
  counters are gone (the campaign expired) nothing is written: no key is created that nothing would expire.

  Returns 1 when the status moved forward, 0 when the event was stale (or its campaign is gone).
]]
local rank = { sent = 0, delivered = 1, failed = 1, read = 2 }
local function classes(s)
  return {
    delivered = (s == 'delivered' or s == 'read') and 1 or 0,
    read = (s == 'read') and 1 or 0,
    dfailed = (s == 'failed') and 1 or 0,
  }
end
local ttl = redis.call('PTTL', KEYS[2])
if ttl == -2 then return 0 end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local curStatus = cur and string.match(cur, '^([^|]*)') or nil
if curStatus and rank[ARGV[2]] <= rank[curStatus] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local before, after = classes(curStatus), classes(ARGV[2])
for name, v in pairs(after) do
  local d = v - before[name]
  if d ~= 0 then redis.call('HINCRBY', KEYS[2], name, d) end
end
if ttl > 0 and redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ttl) end
local letter = ({ delivered = 'd', read = 'r' })[ARGV[2]]
if ARGV[4] and ARGV[4] ~= '' and letter then
  redis.call('XADD', ARGV[4], '*', 't', letter, 'i', ARGV[5])
  if ttl > 0 and redis.call('PTTL', ARGV[4]) == -1 then redis.call('PEXPIRE', ARGV[4], ttl) end
end
return 1
