-- wrk script: POSTs the benchmark's checks in turn (bench/out/checks.txt), and ends with
-- the summary line of summary.lua.
local dir = os.getenv("BENCH_OUT") or "bench/out"
local key = io.open(dir .. "/key"):read("*l")
-- The tenant: bench/out/…/tenant when the run wrote one, else `bench`.
local tenant_file = io.open(dir .. "/tenant")
local tenant = tenant_file and tenant_file:read("*l") or "bench"
local bodies = {}
for line in io.lines(dir .. "/checks.txt") do bodies[#bodies + 1] = line end
local i = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key

function request()
  i = i % #bodies + 1
  return wrk.format(nil, "/v1/tenants/" .. tenant .. "/check", nil, bodies[i])
end

function response(status)
  if status ~= 200 then error("check answered " .. status) end
end

dofile("bench/summary.lua")
