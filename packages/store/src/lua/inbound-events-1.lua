--[[
  Writes a `message.inbound` event (SPEC §16) for each inbound message of one audience group the first time its id is
  seen: the seen mark and the outbox entry in one step, so a webhook resent by the upstream writes none.

  KEYS[1] the group's inbound outbox (keys.inboundOutbox)
  ARGV[1] the group's key prefix (keys.audienceGroup): seen ids are `ie:<id>` under it
  ARGV[2] how long a seen id is kept, seconds
  ARGV[3..] groups of four: message id ('' when the upstream gave none: always written), sender, ms, text

  Returns how many events were written.
]]
local written = 0
for i = 3, #ARGV, 4 do
  local id = ARGV[i]
  if id == '' or redis.call('SET', ARGV[1] .. 'ie:' .. id, '1', 'NX', 'EX', tonumber(ARGV[2])) then
    redis.call('XADD', KEYS[1], '*', 't', 'n', 'm', id, 'f', ARGV[i + 1], 'a', ARGV[i + 2], 'x', ARGV[i + 3])
    written = written + 1
  end
end
return written
