-- The load mix for bench/load/run.py: 60% lesson pages, 20% progress events, 10% plan pages,
-- 10% a manager's dashboard. Run with one connection per thread (-t N -c N), so each response
-- answers the last request its thread made: that is how an acknowledged event id is known.
--
-- wrk ... -s mix.lua URL -- SESSIONS LESSONS OUT_DIR NONCE PLAN_PATH DASHBOARD_PATH
-- SESSIONS: lines "learner|manager<TAB>Cookie header<TAB>CSRF token"; LESSONS: "course<TAB>lesson".
-- Each thread writes OUT_DIR/events-<thread>.log: "sent <id>" and "ack <id> <status>".

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then
      table.insert(lines, line)
    end
  end
  return lines
end

local function split_tabs(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

-- Six lesson pages, two events, one plan page, one dashboard in every ten requests.
local PATTERN = { "lesson", "lesson", "event", "lesson", "plan", "lesson", "lesson", "event",
  "dashboard", "lesson" }

local learners, managers, lessons = {}, {}, {}
local log, nonce, plan_path, dashboard_path
local step, sent_events = 0, 0
local last_kind, last_event = nil, nil
counts = {}

function init(args)
  for _, line in ipairs(read_lines(args[1])) do
    local fields = split_tabs(line)
    local session = { cookie = fields[2], csrf = fields[3] }
    if fields[1] == "manager" then
      table.insert(managers, session)
    else
      table.insert(learners, session)
    end
  end
  for _, line in ipairs(read_lines(args[2])) do
    local fields = split_tabs(line)
    local path = "/courses/" .. fields[1] .. "/" .. fields[2]
    table.insert(lessons, { path = path, course = fields[1], lesson = fields[2] })
  end
  log = assert(io.open(args[3] .. "/events-" .. id .. ".log", "w"))
  nonce, plan_path, dashboard_path = args[4], args[5], args[6]
  math.randomseed(id * 7919 + os.time())
  step = id % #PATTERN
end

local function record(line)
  log:write(line, "\n")
  log:flush()
end

function request()
  step = step % #PATTERN + 1
  local kind = PATTERN[step]
  local learner = learners[(id - 1) % #learners + 1]
  local lesson = lessons[math.random(#lessons)]
  last_kind, last_event = kind, nil
  if kind == "lesson" then
    return wrk.format("GET", lesson.path, { Cookie = learner.cookie })
  elseif kind == "plan" then
    return wrk.format("GET", plan_path, { Cookie = learner.cookie })
  elseif kind == "dashboard" then
    local manager = managers[(id - 1) % #managers + 1]
    return wrk.format("GET", dashboard_path, { Cookie = manager.cookie })
  end
  sent_events = sent_events + 1
  -- A UUID unique by construction: run nonce, thread, counter.
  last_event = string.format("%s-%04x-4000-8000-%012x", nonce, id, sent_events)
  record("sent " .. last_event)
  local body = "course=" .. lesson.course .. "&lesson=" .. lesson.lesson .. "&event_id="
    .. last_event .. "&seconds=" .. math.random(5, 120) .. "&csrf_token=" .. learner.csrf
  return wrk.format("POST", "/learning/events", {
    Cookie = learner.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

function response(status, headers, body)
  local key = last_kind .. " " .. status
  counts[key] = (counts[key] or 0) + 1
  if last_event ~= nil then
    record("ack " .. last_event .. " " .. status)
    last_event = nil
  end
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts") or {}) do
      totals[key] = (totals[key] or 0) + n
    end
  end
  for key, n in pairs(totals) do
    io.write(string.format("COUNT %s %d\n", key, n))
  end
  local errors = summary.errors
  io.write(string.format("SUMMARY requests %d duration_us %d\n", summary.requests,
    summary.duration))
  io.write(string.format("ERRORS connect %d read %d write %d status %d timeout %d\n",
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
  io.write(string.format("LATENCY p50 %d p90 %d p99 %d max %d\n", latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max))
end
