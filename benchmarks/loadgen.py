"""Drives one route with Debian's `wrk` and reads back requests/s and latency percentiles.

Each run gets a small Lua script: the requests are formatted once up front (a POST body per id, cycled
through), and `done` prints one JSON line with the figures, so nothing depends on wrk's text output.
"""

import json
import os
import subprocess
import tempfile

SCRIPT = """
local requests = {}
local count = 0
local next_request = 0
init = function(args)
  local method = %(method)s
  local path = %(path)s
  local headers = %(headers)s
  local bodies = %(bodies)s
  for _, body in ipairs(bodies) do
    count = count + 1
    requests[count] = wrk.format(method, path, headers, body)
  end
end
request = function()
  next_request = next_request %% count + 1
  return requests[next_request]
end
done = function(summary, latency, requests)
  io.write(string.format('BENCH {"requests": %%d, "duration_us": %%d, "errors": %%d, "status_errors": %%d, "timeouts": %%d, "p50_us": %%d, "p99_us": %%d, "bytes": %%d}\\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.bytes))
end
"""


def lua_string(text):
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for these inputs


def lua_table(items):
    return "{" + ", ".join(lua_string(item) for item in items) + "}"


def lua_headers(headers):
    return "{" + ", ".join(f"[{lua_string(name)}] = {lua_string(value)}" for name, value in headers.items()) + "}"


def run_wrk(url, method="GET", path="/", headers=None, bodies=None, connections=32, seconds=10, threads=1, timeout_seconds=30,
            raw_requests=None):
    """One wrk run; returns requests/s, p50 and p99 in milliseconds, and the requests made. `raw_requests`, whole
    HTTP requests as text, are sent as they are, in turn (for requests that each carry their own signature)."""
    headers = dict(headers or {})
    if bodies:
        headers.setdefault("Content-Type", "application/json")
    script = SCRIPT % {
        "method": lua_string(method),
        "path": lua_string(path),
        "headers": lua_headers(headers),
        "bodies": lua_table(raw_requests or bodies) if raw_requests or bodies else "{''}",
    }
    formatted = "wrk.format(method, path, headers, body)"
    if raw_requests:
        script = script.replace(formatted, "body")
    elif not bodies:
        script = script.replace(formatted, "wrk.format(method, path, headers, nil)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
        script_path = file.name
    try:
        output = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_seconds}s", "-s", script_path, url],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        os.unlink(script_path)
    line = next((line for line in output.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures: {output}")
    figures = json.loads(line[len("BENCH "):])
    # Errors are a result too (the table shows them); a run with only errors has no figures to speak of.
    return {
        "errors": figures["errors"] + figures["status_errors"],
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50_ms": figures["p50_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "requests": figures["requests"],
    }
