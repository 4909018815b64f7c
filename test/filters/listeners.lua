-- Runs inside tshark (-X lua_script:...): one tap listener per display filter of the file named by
-- TSSHARK_FILTERS (one per line), so a single pass over a capture evaluates them all. Writes
-- "M <filter index> <frame number>" per match and "E <filter index> <message>" per rejected filter.
local out = assert(io.open(os.getenv("TSSHARK_MATCHES"), "w"))
local index = 0
for filter in io.lines(os.getenv("TSSHARK_FILTERS")) do
  index = index + 1
  local ok, listener = pcall(Listener.new, nil, filter)
  if ok then
    local i = index
    listener.packet = function(pinfo) out:write("M\t", i, "\t", pinfo.number, "\n") end
  else
    out:write("E\t", index, "\t", (tostring(listener):gsub("\n", " ")), "\n")
  end
end
local closer = Listener.new()
closer.draw = function() out:close() end
