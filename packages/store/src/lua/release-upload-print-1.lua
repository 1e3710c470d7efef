--[[
  Gives up an upload's claim on its content hash (its campaign was not made): a hash that names another
  campaign is left alone.

  KEYS[1] print      hash: id, name, created_at (ms), state claimed|done

  ARGV[1] campaign id

  Returns 1 when released, 0 when the hash was not this campaign's.
]]
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
