-- wrk mix: 70 % search pages (varied queries and filters), 20 % RII pages,
-- 10 % home, region and technology pages, drawn from the path files that
-- scripts/loadtest.sh writes (LOADTEST_PATHS: a folder with search.txt, rii.txt and
-- others.txt). LOADTEST_CACHED=1 requests only the others (cached anonymous pages).
local dir = os.getenv("LOADTEST_PATHS") or "var/bench/loadtest"
local cached = os.getenv("LOADTEST_CACHED") == "1"

local function lines(name, fallback)
  local list = {}
  local f = io.open(dir .. "/" .. name)
  if f then
    for line in f:lines() do
      if line ~= "" then list[#list + 1] = line end
    end
    f:close()
  end
  if #list == 0 then list[1] = fallback end
  return list
end

local search, rii, others

init = function(args)
  search = lines("search.txt", "/infrastructures/")
  rii = lines("rii.txt", "/infrastructures/")
  others = lines("others.txt", "/")
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  local list = others
  if not cached then
    local r = math.random(100)
    if r <= 70 then
      list = search
    elseif r <= 90 then
      list = rii
    end
  end
  return wrk.format("GET", list[math.random(#list)], {["Accept-Encoding"] = "identity"})
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.2f, "rps": %.1f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, "errors": %d, "non_2xx_3xx": %d, "socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, errors, summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
end
