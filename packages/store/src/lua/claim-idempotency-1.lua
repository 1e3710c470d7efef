--[[
  Claims an idempotency key (hash: state, id, fingerprint, until, answer), or tells who has it.

  KEYS[1] the key's hash
  ARGV[1] campaign id of this call
  ARGV[2] fingerprint of this call's request
  ARGV[3] lease, ms: a claim holds the key this long unless renewed (until = now + lease)
  ARGV[4] TTL of the key, s
  ARGV[5] campaign id of an expired claim this call takes over ('' for none): only if that claim is still there,
          still not done and its lease has run out

  Returns { 'fresh' } when this call holds the key now, else { state, id, fingerprint, expired (0|1), answer }.
]]
local k = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local kind = redis.call('TYPE', k)['ok']
if kind == 'string' then
  -- An earlier release stored `<state> <id> <hash>` with the lease as TTL: read it as a hash.
  local v = redis.call('GET', k)
  local ttl = redis.call('PTTL', k)
  local s, id, h = string.match(v, '^(%S+) (%S+) ?(%S*)')
  redis.call('DEL', k)
  local lease_end = now + math.max(ttl, 0)
  redis.call('HSET', k, 'state', s or 'claimed', 'id', id or '', 'fingerprint', h or '', 'until', lease_end)
  if ttl > 0 then redis.call('PEXPIRE', k, ttl) end
  kind = 'hash'
end
local function claim()
  redis.call('HSET', k, 'state', 'claimed', 'id', ARGV[1], 'fingerprint', ARGV[2], 'until', now + tonumber(ARGV[3]))
  redis.call('HDEL', k, 'answer')
  redis.call('EXPIRE', k, ARGV[4])
  return { 'fresh' }
end
if kind == 'none' then return claim() end
local cur = redis.call('HMGET', k, 'state', 'id', 'fingerprint', 'until', 'answer')
local expired = (cur[1] == 'claimed' and tonumber(cur[4] or '0') <= now) and 1 or 0
if expired == 1 and ARGV[5] ~= '' and cur[2] == ARGV[5] then return claim() end
return { cur[1] or '', cur[2] or '', cur[3] or '', expired, cur[5] or '' }
