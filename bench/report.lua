-- wrk script for bench/ingest.py: one report per request to /api/v1/reports.
--
-- Arguments after "--": a run tag, then comma-separated service slugs,
-- symptom slugs and region codes. Each request picks one of each at random
-- and a User-Agent of its own, so the radar sees distinct reporters; one
-- request in ten comes from a small pool of "regulars" who report again, so
-- de-duplication and the per-reporter limit see repeats too. Each comes
-- through the proxy the radar is told it sits behind (X-Forwarded-For) from
-- an address of its own, as a real crowd does from many networks.
--
-- done() prints "BENCH ..." lines that bench/ingest.py parses: figures of the
-- run, then one line per HTTP status.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local function split(text)
  local items = {}
  for item in string.gmatch(text, "[^,]+") do
    items[#items + 1] = item
  end
  return items
end

function init(args)
  tag = args[1]
  services, symptoms, regions = split(args[2]), split(args[3]), split(args[4])
  math.randomseed(os.time() * 100 + tid)
  sent, statuses = 0, {}
end

local function pick(items)
  return items[math.random(#items)]
end

function request()
  sent = sent + 1
  local agent, address
  if sent % 10 == 0 then
    local regular = math.random(50)
    agent = string.format("Mozilla/5.0 (bench; regular %d)", regular)
    address = string.format("198.18.%d.1", regular)
  else
    agent = string.format("Mozilla/5.0 (bench; %s t%d n%d)", tag, tid, sent)
    address = string.format("%d.%d.%d.%d", math.random(11, 99),
      math.random(0, 255), math.random(0, 255), math.random(1, 254))
  end
  local body = string.format(
    '{"service": "%s", "symptom": "%s", "region": "%s"}',
    pick(services), pick(symptoms), pick(regions))
  return wrk.format("POST", nil,
    {["Content-Type"] = "application/json", ["User-Agent"] = agent,
     ["X-Forwarded-For"] = address}, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total_sent, totals = 0, {}
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH duration_us=%d answered=%d sent=%d p50_us=%d p99_us=%d " ..
    "connect=%d read=%d write=%d timeout=%d\n",
    summary.duration, summary.requests, total_sent,
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout))
  for status, count in pairs(totals) do
    io.write(string.format("BENCH status=%d count=%d\n", status, count))
  end
end
