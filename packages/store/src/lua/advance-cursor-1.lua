--[[
  Moves a bulk campaign's chunk cursor forward, if nobody moved it since the caller read it (the caller
  has already enqueued the chunks from `from` up to `to`; enqueueing a chunk twice is harmless, losing
  one is not, so the cursor moves only after its chunks are in the queue).

  KEYS[1] meta   campaign hash (`next_chunk`)
  ARGV[1] from   the cursor the caller read
  ARGV[2] to     the new cursor

  Returns 1 when moved, 0 when the cursor was no longer `from`.
]]
local cur = tonumber(redis.call('HGET', KEYS[1], 'next_chunk') or '0')
if cur ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'next_chunk', ARGV[2])
return 1
