-- wrk script for the serving load tests: one connection per thread, so each thread's responses come back in the order
-- of its requests and can be checked against what each request expects. STORM_FAULTS (0-100, per cent) of requests
-- attack the server: a guest spinning past its time limit, a guest aborting, a script looping forever, a script
-- exhausting its memory. The rest call Add(a, b) and must answer a + b. done() prints one JSON line of counts.

local faults = tonumber(os.getenv("STORM_FAULTS") or "0")
local threads = {}

local attacks = {
  { path = "/functions/Spin", body = "[]", status = 408, marker = '"Timeout"' },
  { path = "/functions/Abort", body = "[7]", status = 500, marker = '"GuestAborted"' },
  { path = "/scripts/javascript", body = "for (;;) {}", status = 408, marker = '"Timeout"' },
  { path = "/scripts/javascript", body = "let a = []; for (;;) a.push(new Array(1e6).fill(1));", status = 422, marker = "out of memory" },
}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  -- wrk calls the first thread's request() once more, right after this, to check what it returns, and never sends
  -- that request: it must not wait in the queue for an answer.
  phantom = id == 1
  expected = {}
  head = 1
  tail = 0
  good = 0
  attacked = 0
  wrong = 0
  firstWrong = ""
  math.randomseed(id * 7919 + os.time())
end

function request()
  local want, path, body
  if math.random(100) <= faults then
    want = attacks[math.random(#attacks)]
    path, body = want.path, want.body
  else
    local a, b = math.random(0, 1000000), math.random(0, 1000000)
    want = { status = 200, exact = '{"result":' .. (a + b) .. '}' }
    path, body = "/functions/Add", "[" .. a .. "," .. b .. "]"
  end

  if phantom then
    phantom = false
  else
    tail = tail + 1
    expected[tail] = want
  end

  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  local want = expected[head]
  expected[head] = nil
  head = head + 1
  local right
  if want == nil then
    right = false
  elseif want.exact then
    right = status == want.status and body == want.exact
  else
    right = status == want.status and string.find(body, want.marker, 1, true) ~= nil
  end

  if right and want.exact then
    good = good + 1
  elseif right then
    attacked = attacked + 1
  else
    wrong = wrong + 1
    if firstWrong == "" then
      firstWrong = status .. " " .. string.sub(body, 1, 200)
    end
  end
end

function done(summary, latency, requests)
  local g, a, w, first = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    g = g + thread:get("good")
    a = a + thread:get("attacked")
    w = w + thread:get("wrong")
    if first == "" then first = thread:get("firstWrong") end
  end

  -- errors.status counts the attacks' 4xx and 5xx answers, which are right; socket errors never are.
  io.write(string.format('STORM {"good":%d,"attacked":%d,"wrong":%d,"socketErrors":%d,"timeouts":%d,"requests":%d,"rps":%.1f,"p50us":%d,"p99us":%d,"firstWrong":%q}\n',
    g, a, w, summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), first))
end
