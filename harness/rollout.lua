-- wrk script for harness/rollout.ts: checks every response of GET /host-name and prints one line
--   ROLLOUT-WRK {json}
-- at the end with the counts of all threads and wrk's own summary (requests, socket errors, latency).
--
-- Per response:
--   statuses[code]   every status code seen
--   hosts[name]      responses that are exactly {"hostName":"<name>"} with Content-Type application/json
--                    (harness/rollout.ts checks every name is one of the run's containers)
--   nonjson          responses whose body is not a JSON object or whose Content-Type is not application/json
--   othershape       JSON objects that are not exactly {"hostName":"..."} (a JSON error body, a wrong field)
--   samples          the first few responses of the last two kinds, for the report
--   routed[tg]       responses HAProxy tagged X-Rollout-Target-Group: tg (the blue/green mode tags each response with
--                    the target group its request was routed to, read from the listener's map as the request came in)
--   routedhosts["tg|name"]  hosts[name] of the responses tagged tg (flat keys: copied from each thread as one table)
--   glued            200s whose body ends in a {"hostName":...} object after something else: wrk 4.1 does not clear its body
--                    buffer when it reconnects after a read error, so the part of a response that was cut off (the
--                    app answers chunked) is prepended to the next response's body. Counted apart (the last object
--                    is the response's own, and counts for its host); the harness allows them only where responses
--                    were cut off.
-- Stop wrk with SIGINT: it then prints its summary and calls done() as after -d.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  hosts = {}
  nonjson = 0
  othershape = 0
  glued = 0
  samples = {}
  routed = {}
  routedhosts = {}
end

-- Content-Type ("" when absent) and the target group tag (nil when absent).
local function content_type_and_tag(headers)
  local ctype, tag = "", nil
  for name, value in pairs(headers) do
    local lower = string.lower(name)
    if lower == "content-type" then ctype = value elseif lower == "x-rollout-target-group" then tag = value end
  end
  return ctype, tag
end

local function count_host(host, tag)
  hosts[host] = (hosts[host] or 0) + 1
  if tag then routedhosts[tag .. "|" .. host] = (routedhosts[tag .. "|" .. host] or 0) + 1 end
end

local function sample(status, ctype, body)
  if #samples < 5 then
    table.insert(samples, status .. " [" .. ctype .. "] " .. string.sub(body or "", 1, 160))
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local ctype, tag = content_type_and_tag(headers)
  if tag then routed[tag] = (routed[tag] or 0) + 1 end
  body = body or ""
  local host = string.match(body, '^{"hostName":"([^"\\]+)"}$')
  local json = string.find(ctype, "^application/json")
  if host and json then
    count_host(host, tag)
  elseif json and status == 200 and string.match(body, '.{"hostName":"[^"\\]+"}$') then
    glued = glued + 1
    count_host(string.match(body, '{"hostName":"([^"\\]+)"}$'), tag)
    sample(status, ctype, body)
  elseif string.find(ctype, "^application/json") and string.match(body, "^%s*{.*}%s*$") then
    othershape = othershape + 1
    sample(status, ctype, body)
  else
    nonjson = nonjson + 1
    sample(status, ctype, body)
  end
end

local function quote(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" end
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

local function object(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, quote(tostring(k)) .. ":" .. tostring(v)) end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local all_statuses, all_hosts, all_samples, all_routed, all_routedhosts = {}, {}, {}, {}, {}
  local all_nonjson, all_othershape, all_glued = 0, 0, 0
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do all_statuses[k] = (all_statuses[k] or 0) + v end
    for k, v in pairs(thread:get("hosts")) do all_hosts[k] = (all_hosts[k] or 0) + v end
    for k, v in pairs(thread:get("routed")) do all_routed[k] = (all_routed[k] or 0) + v end
    for k, v in pairs(thread:get("routedhosts")) do all_routedhosts[k] = (all_routedhosts[k] or 0) + v end
    all_nonjson = all_nonjson + thread:get("nonjson")
    all_othershape = all_othershape + thread:get("othershape")
    all_glued = all_glued + thread:get("glued")
    for _, s in ipairs(thread:get("samples")) do table.insert(all_samples, quote(s)) end
  end
  local e = summary.errors
  io.write("ROLLOUT-WRK {",
    '"durationUs":', summary.duration, ",",
    '"requests":', summary.requests, ",",
    '"errors":{"connect":', e.connect, ',"read":', e.read, ',"write":', e.write,
    ',"status":', e.status, ',"timeout":', e.timeout, "},",
    '"latencyUs":{"p50":', latency:percentile(50), ',"p90":', latency:percentile(90),
    ',"p99":', latency:percentile(99), ',"p999":', latency:percentile(99.9), ',"max":', latency.max,
    ',"mean":', string.format("%.0f", latency.mean), "},",
    '"statuses":', object(all_statuses), ",",
    '"hosts":', object(all_hosts), ",",
    '"routed":', object(all_routed), ",",
    '"routedHosts":', object(all_routedhosts), ",",
    '"nonJson":', all_nonjson, ",",
    '"otherShape":', all_othershape, ",",
    '"glued":', all_glued, ",",
    '"samples":[', table.concat(all_samples, ","), "]}\n")
end
