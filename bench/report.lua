-- wrk reporter: one JSON line with throughput, latency percentiles (microseconds), errors and,
-- for a POST target, how many answers were redirects (302: the message was stored).
-- A POST target sets BENCH_METHOD, BENCH_BODY and BENCH_HEADERS ("Name: value" lines); every
-- "BENCHSEQ" in the body becomes BENCH_RUN-thread-sequence, so no two bodies are ever equal.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then wrk.body = body end
for name, value in (os.getenv("BENCH_HEADERS") or ""):gmatch("([^:\n]+):%s*([^\n]*)") do
  wrk.headers[name] = value
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

-- Per thread: requests written, answers read, and answers that were redirects. When wrk stops,
-- sent - answered requests are still with the server, which completes them unseen.
sent, answered, redirects = 0, 0, 0
local run = os.getenv("BENCH_RUN") or ""
if body and body:find("BENCHSEQ", 1, true) then
  function request()
    sent = sent + 1
    return wrk.format(nil, nil, nil, (body:gsub("BENCHSEQ", run .. "-" .. thread_id .. "-" .. sent)))
  end
  function response(status, headers, response_body)
    answered = answered + 1
    if status == 302 then redirects = redirects + 1 end
  end
end

function done(summary, latency, requests)
  local total = {sent = 0, answered = 0, redirects = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(total) do total[name] = total[name] + thread:get(name) end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"sent": %d, "answered": %d, "redirects": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    total.sent, total.answered, total.redirects, e.connect, e.read, e.write, e.status, e.timeout))
end
