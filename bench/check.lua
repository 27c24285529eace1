-- wrk script: POSTs the benchmark's checks in turn (bench/out/checks.txt), and prints the
-- throughput and latency percentiles as one JSON line at the end.
local dir = os.getenv("BENCH_OUT") or "bench/out"
local key = io.open(dir .. "/key"):read("*l")
local bodies = {}
for line in io.lines(dir .. "/checks.txt") do bodies[#bodies + 1] = line end
local i = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key

function request()
  i = i % #bodies + 1
  return wrk.format(nil, "/v1/tenants/bench/check", nil, bodies[i])
end

function response(status)
  if status ~= 200 then error("check answered " .. status) end
end

function done(summary, latency)
  io.write(string.format('{"rps": %.0f, "p50_ms": %.3f, "p99_ms": %.3f, "p999_ms": %.3f, "errors": %d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
