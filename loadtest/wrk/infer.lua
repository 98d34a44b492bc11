-- wrk script: POST a KServe Open Inference Protocol v2 infer request and summarise the run.
--
--   wrk -t2 -c32 -d10s -s infer.lua http://127.0.0.1:8080
--
-- Environment (all optional):
--   MODEL          model name                        (default: demo)
--   MODEL_VERSION  pin a version: /versions/{v}/infer (default: latest)
--   INFER_BODY     the JSON request body             (default: one FP32 [1,4] tensor named "input")
--
-- The body is the same for every request; use the Gatling simulation for random data.

local model = os.getenv("MODEL") or "demo"
local version = os.getenv("MODEL_VERSION") or ""
local body = os.getenv("INFER_BODY")
  or '{"id":"wrk","inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}'

-- wrk.path holds the path of the URL on the command line; keep it as a prefix (e.g. behind an ingress).
local prefix = (wrk.path or "/"):gsub("/+$", "")
local version_part = version ~= "" and ("/versions/" .. version) or ""

wrk.method = "POST"
wrk.path = prefix .. "/v2/models/" .. model .. version_part .. "/infer"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

-- Each wrk thread runs its own Lua state: keep them so done() can add up their counters.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total = 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write("------------------------------------------------------------\n")
  io.write(string.format("KServe v2 infer  %s\n", wrk.path))
  io.write(string.format("requests        %d in %.2fs\n", summary.requests, seconds))
  io.write(string.format("requests/s      %.1f\n", summary.requests / seconds))
  for _, p in ipairs({ 50, 90, 99 }) do
    io.write(string.format("p%-2d latency     %.3f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max latency     %.3f ms\n", latency.max / 1000))
  io.write(string.format("non-2xx         %d\n", non2xx_total))
  io.write(string.format("socket errors   connect %d, read %d, write %d, timeout %d\n",
    e.connect, e.read, e.write, e.timeout))
end
