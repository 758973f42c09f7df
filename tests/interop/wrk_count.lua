-- wrk script of tests/interop/load.sh: wrk runs for a duration, so each
-- thread counts its responses, stops at FIN_WRK_PER_THREAD and leaves a
-- file saying so (load.sh then interrupts wrk's timer); done() prints the
-- totals in one line the test reads.
local count = 0

function setup(thread)
  thread:set("id", tostring(math.random(1, 1000000000)))
end

function response(status, headers, body)
  count = count + 1
  if status ~= 200 then
    io.stderr:write("fin-load: status " .. status .. "\n")
  end
  if count == tonumber(os.getenv("FIN_WRK_PER_THREAD")) then
    local f = io.open(os.getenv("FIN_WRK_DIR") .. "/stopped." .. id, "w")
    f:write(count)
    f:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("fin-load: requests=%d errors=%d connect=%d read=%d write=%d " ..
                         "status=%d timeout=%d seconds=%.3f\n",
                         summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
                         e.connect, e.read, e.write, e.status, e.timeout,
                         summary.duration / 1e6))
end
