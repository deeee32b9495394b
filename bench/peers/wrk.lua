-- wrk script for bench/peers.sh: with IDS_FILE set, each request asks for a random id from the
-- file (appended to the URL's path); with POST_GROUPS, each creates a group; done() prints one
-- JSON line with the figures.
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

-- With POST_GROUPS set (a tag unique to the run), each request creates a group of its own.
local post_tag = os.getenv("POST_GROUPS") or ""
if post_tag ~= "" then
  local counter = 0
  setup = function(thread)
    counter = counter + 1
    thread:set("thread_no", counter)
  end
  local n = 0
  request = function()
    n = n + 1
    -- wrk.format's headers replace wrk.headers (the -H ones): both go in.
    local headers = {["Content-Type"] = "application/json"}
    for k, v in pairs(wrk.headers) do headers[k] = v end
    local body = string.format('{"name":"%s-%d-%d"}', post_tag, thread_no or 0, n)
    return wrk.format("POST", wrk.path, headers, body)
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
