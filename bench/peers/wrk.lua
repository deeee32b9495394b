-- wrk script for bench/peers.sh: with IDS_FILE set, each request asks for a random id from the
-- file (appended to the URL's path); done() prints one JSON line with the figures.
local ids_file = os.getenv("IDS_FILE") or ""
if ids_file ~= "" then
  local ids = {}
  for line in io.lines(ids_file) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  local counter = 0
  setup = function(thread)
    counter = counter + 1
    thread:set("seed", counter)
  end
  init = function()
    math.randomseed(os.time() + (seed or 0) * 7919)
  end
  request = function()
    return wrk.format(nil, wrk.path .. ids[math.random(#ids)])
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"bytes_per_req":%.0f,"errors":%d,"non2xx":%d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, summary.bytes / math.max(summary.requests, 1),
    e.connect + e.read + e.write + e.timeout, e.status))
end
