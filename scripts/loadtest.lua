-- wrk mix: 70 % search pages (varied queries and filters), 20 % RII pages,
-- 10 % home, region and technology pages. PATHS_RII is a file of RII paths.
local queries = {"laser", "microscopy", "additive", "nano", "battery", "sensor",
  "polymer", "coating", "imaging", "robot", "photonics", "testing"}
local filters = {"", "&region=DE", "&region=ITH", "&ket=AM", "&ket=NANO",
  "&page=2", "&country=FR&ket=AM", "&service_type=testing", "&sort=name"}
local others = {"/", "/regions/DE/", "/regions/ITH5/", "/technologies/AM/", "/technologies/NANO/"}
local rii = {}
local cached = os.getenv("LOADTEST_CACHED") == "1"

init = function(args)
  local f = io.open(os.getenv("LOADTEST_RII_PATHS") or "var/bench/rii_paths.txt")
  if f then
    for line in f:lines() do rii[#rii + 1] = line end
    f:close()
  end
  if #rii == 0 then rii[1] = "/infrastructures/" end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  local path
  if cached then
    path = others[math.random(#others)]
  else
    local r = math.random(100)
    if r <= 70 then
      path = "/infrastructures/?q=" .. queries[math.random(#queries)]
        .. filters[math.random(#filters)]
    elseif r <= 90 then
      path = rii[math.random(#rii)]
    else
      path = others[math.random(#others)]
    end
  end
  return wrk.format("GET", path, {["Accept-Encoding"] = "identity"})
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
