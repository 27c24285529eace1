-- wrk script: prints the throughput and latency percentiles as one JSON line at the end.
-- Used as is for GET /healthz; check.lua loads it for its own summary.
function done(summary, latency)
  io.write(string.format('{"rps": %.0f, "p50_ms": %.3f, "p99_ms": %.3f, "p999_ms": %.3f, "errors": %d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
