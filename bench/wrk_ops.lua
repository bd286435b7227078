-- wrk script of bench/load.py --closed: POST $BENCH_BODY with "Authorization: $BENCH_AUTH" and report JSON like
-- wrk_post.lua, plus the answers that came back 200 with GraphQL `errors` (wrk counts only non-2xx) and the first one.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or ""
wrk.headers["Content-Type"] = "application/json"
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  gql_errors = 0
  first_error = ""
end

function response(status, headers, body)
  if status == 200 and body and string.find(body, '"errors":[', 1, true) then
    gql_errors = gql_errors + 1
    if first_error == "" then first_error = string.sub(body, 1, 400) end
  elseif status ~= 200 and first_error == "" then
    first_error = "HTTP " .. status .. ": " .. string.sub(body or "", 1, 300)
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status
  local gql, first = 0, ""
  for _, thread in ipairs(threads) do
    gql = gql + (thread:get("gql_errors") or 0)
    local e = thread:get("first_error")
    if first == "" and e then first = e end
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_s": %.3f, "errors": %d, "status_errors": %d, "gql_errors": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, errors, summary.errors.status, gql, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  if first ~= "" then io.write("BENCH_FIRST_ERROR " .. string.gsub(first, "\n", " ") .. "\n") end
end
