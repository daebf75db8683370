"""What one panel process takes of its nodes' callbacks: signed heartbeats and event batches, measured with
wrk against the same server's constant route of the same size (the ratio), on SQLite and on PostgreSQL.

Each callback carries its own HMAC signature and nonce (the panel refuses a nonce twice), so the requests
are signed here beforehand, one per request wrk may send. The node is registered as the panel's API makes
one; its events are about instances seeded on it, each event newer than the last, so each is written.
docs/scale.md extrapolates from these figures.
"""

import hashlib
import hmac
import json
import secrets
import time

import harness
import loadgen

EVENTS_PER_BATCH = 10


def signed_request(method, path, body, key, port):
    """The whole HTTP request, signed as a daemon signs it (Sources/BerthHTTP/NodeChannel/CallbackSignature.swift)."""
    date = str(int(time.time()))
    nonce = secrets.token_hex(16)
    digest = hashlib.sha256(body.encode()).hexdigest()
    text = "\n".join(["berth-callback-v1", method, path, date, nonce, digest])
    signature = hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body.encode())}\r\nBerth-Key: {hashlib.sha256(key.encode()).hexdigest()}\r\n"
            f"Berth-Date: {date}\r\nBerth-Nonce: {nonce}\r\nBerth-Signature: {signature}\r\n\r\n{body}")


def heartbeat_body():
    return json.dumps({
        "version": "bench", "docker": {"reachable": True, "host": "unix:///run/docker.sock", "version": "bench"}, "cpuCores": 64,
        "memoryTotalBytes": 1 << 40, "memoryAvailableBytes": 1 << 39, "diskTotalBytes": 1 << 42,
        "diskAvailableBytes": 1 << 41, "instances": 0,
    }, separators=(",", ":"))


def event_bodies(instance_ids, count, first_sequence):
    sequence = first_sequence
    for batch in range(count):
        events = []
        for index in range(EVENTS_PER_BATCH):
            instance = instance_ids[(batch * EVENTS_PER_BATCH + index) % len(instance_ids)]
            sequence += 1
            events.append({"sequence": sequence, "time": sequence, "status": {
                "id": instance, "installState": "READY", "powerState": "running" if sequence % 2 else "offline", "suspended": False}})
        yield json.dumps({"events": events}, separators=(",", ":"))


def measure(table, panel, node_id, token, sizes, database):
    """Heartbeats and event batches from the node `node_id` (its instances seeded), each against the ceiling."""
    callback_key = token.split(".")[1]
    _, listed = panel.request("GET", "/api/instances", expect=200)
    ids = [instance["Id"] for instance in listed if instance["Node"]["id"] == node_id]
    base = f"http://127.0.0.1:{harness.PANEL_PORT}"
    # Enough signed requests for the fastest run seen (a few thousand a second), each sent once.
    count = 20000 if sizes.quick else 80000
    routes = [
        (f"POST /api/remote/heartbeat, signed ({database}", "/api/remote/heartbeat", [heartbeat_body()] * count),
        (f"POST /api/remote/events, {EVENTS_PER_BATCH} events a batch ({database}", "/api/remote/events",
         list(event_bodies(ids, count, int(time.time() * 1000)))),
    ]
    for label, path, bodies in routes:
        size = len(bodies[0].encode())
        signed = [signed_request("POST", path, body, callback_key, harness.PANEL_PORT) for body in bodies]
        loadgen.run_wrk(base, "POST", path, raw_requests=signed[: count // 5], seconds=sizes.warmup_seconds)
        measured = loadgen.run_wrk(base, "POST", path, raw_requests=signed[count // 5:], seconds=sizes.wrk_seconds)
        ceiling = f"/bench/ceiling?bytes={size}"
        loadgen.run_wrk(base, "GET", ceiling, seconds=sizes.warmup_seconds)
        reference = loadgen.run_wrk(base, "GET", ceiling, seconds=sizes.wrk_seconds)
        table.api(f"{label}, {size:,} B)", measured, reference, "", None)
