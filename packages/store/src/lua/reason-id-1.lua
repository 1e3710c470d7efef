--[[
  The small id of a suppression reason (audience.ts), given on first use.

  KEYS[1] reasons hash: `r:<text>` -> id, `i:<id>` -> text, `#` -> last id given
  ARGV[1] the reason's text
  ARGV[2] most ids given

  Returns the id, or -1 when every id is taken.
]]
local id = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
if id then return tonumber(id) end
local last = tonumber(redis.call('HGET', KEYS[1], '#') or '0')
if last >= tonumber(ARGV[2]) then return -1 end
last = last + 1
redis.call('HSET', KEYS[1], 'r:' .. ARGV[1], last, 'i:' .. last, ARGV[1], '#', last)
return last
