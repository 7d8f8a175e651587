-- wrk script for bench/ingest.py: batches of reports to /api/v1/reports/batch.
--
-- Arguments after "--": a run tag, an API token, comma-separated service
-- slugs, symptom slugs and region codes, and the number of reports per batch.
-- Every request is a fresh batch: four entries in five name a reporter drawn
-- from a large pool (so some repeat and are de-duplicated), the rest name
-- none and count as reporters of their own, as the API documents.
--
-- done() prints "BENCH ..." lines that bench/ingest.py parses, including the
-- sum of the "accepted" counts of the answers.

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
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. args[2],
  }
  services, symptoms, regions = split(args[3]), split(args[4]), split(args[5])
  size = tonumber(args[6])
  math.randomseed(os.time() * 100 + tid)
  sent, accepted, statuses = 0, 0, {}
end

local function pick(items)
  return items[math.random(#items)]
end

local function entry()
  local fields = string.format(
    '"service": "%s", "symptom": "%s", "region": "%s"',
    pick(services), pick(symptoms), pick(regions))
  if math.random(5) == 1 then
    return "{" .. fields .. "}"
  end
  return string.format('{%s, "reporter": "%s-%d"}',
    fields, tag, math.random(200000))
end

function request()
  sent = sent + 1
  local entries = {}
  for i = 1, size do
    entries[i] = entry()
  end
  local body = '{"reports": [' .. table.concat(entries, ", ") .. "]}"
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local count = string.match(body, '"accepted":%s*(%d+)')
  if count then
    accepted = accepted + tonumber(count)
  end
end

function done(summary, latency, requests)
  local total_sent, total_accepted, totals = 0, 0, {}
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    total_accepted = total_accepted + thread:get("accepted")
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH duration_us=%d answered=%d sent=%d p50_us=%d p99_us=%d " ..
    "connect=%d read=%d write=%d timeout=%d accepted=%d\n",
    summary.duration, summary.requests, total_sent,
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, total_accepted))
  for status, count in pairs(totals) do
    io.write(string.format("BENCH status=%d count=%d\n", status, count))
  end
end
