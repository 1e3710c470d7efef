--[[
  Marks an upload's content hash done once its campaign exists: it then names that campaign for `ttl` ms.
  A hash another upload took over meanwhile (forced, or this claim lapsed) is left to it.

  KEYS[1] print      hash: id, name, created_at (ms), state claimed|done

  ARGV[1] campaign id
  ARGV[2] ttl, ms

  Returns 1 when settled, 0 when the hash is no longer this campaign's.
]]
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
