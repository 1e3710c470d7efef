--[[
  Claims an upload's content hash for the campaign about to be created from it (409 DUPLICATE_UPLOAD), or
  says which campaign already has it. A claim lives `lease` ms until settled (its upload died: it lapses);
  `force` takes the hash over whoever has it (the new campaign is named from then on).

  KEYS[1] print      hash: id, name, created_at (ms), state claimed|done

  ARGV[1] campaign id
  ARGV[2] campaign name
  ARGV[3] now, ms (the campaign's created_at)
  ARGV[4] lease, ms
  ARGV[5] force: '1' or '0'

  Returns {} when claimed, else { id, name, created_at, state } of the campaign that has it.
]]
if ARGV[5] ~= '1' then
  local cur = redis.call('HMGET', KEYS[1], 'id', 'name', 'created_at', 'state')
  if cur[1] then return cur end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'name', ARGV[2], 'created_at', ARGV[3], 'state', 'claimed')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {}
