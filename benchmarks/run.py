#!/usr/bin/env python3
"""Runs Berth's benchmarks against a release build and prints one table: every figure beside its reference
measured in the same run, and the ratio. `scripts/bench` prepares the machine and calls this; see
docs/performance.md for the method.

    python3 benchmarks/run.py --berth .build/release/berth [--database-url postgres://...] [--quick]
"""

import argparse
import concurrent.futures
import os
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import backups  # noqa: E402
import callbacks  # noqa: E402
import console  # noqa: E402
import files  # noqa: E402
import harness  # noqa: E402
import loadgen  # noqa: E402
import report  # noqa: E402
import seed  # noqa: E402
import sftp  # noqa: E402
import transfers  # noqa: E402
from harness import say  # noqa: E402

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE_FILE = os.path.join(REPOSITORY, "images", "busybox-echo.json")
IMAGE_NAME = "Busybox echo"
DOCKER_IMAGE = "berth/busybox:latest"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--berth", required=True, help="the release-built berth binary")
    parser.add_argument("--database-url", help="a PostgreSQL server for the second API run (a database berth_bench is made on it)")
    parser.add_argument("--quick", action="store_true", help="small numbers, to try the harness out; not for the record")
    parser.add_argument("--only", default="api,callbacks,node,transfers,files,backups,sftp",
                        help="api, callbacks, node, transfers, files, backups, sftp, or several (comma-separated)")
    parser.add_argument("--console-url", help="the console WebSocket to measure, with {id} and {token} in it "
                        "(default: the daemon's own, wss://127.0.0.1:DAEMON_PORT/api/instances/{id}/console, token in a header)")
    parser.add_argument("--console-header", action="append", default=[], metavar="NAME: VALUE",
                        help="a header for the console socket's handshake, e.g. a session cookie and Origin (repeatable)")
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--running", help="running-instance levels for the memory benchmark, e.g. 100,500 ('' skips it)")
    arguments = parser.parse_args()

    sizes = Sizes(arguments.quick)
    if arguments.running is not None:
        sizes.running_levels = [int(level) for level in arguments.running.split(",") if level]
    table = report.Table()
    started = time.time()
    workdir = tempfile.mkdtemp(prefix="berth-bench.")
    parts = arguments.only.split(",")
    try:
        with harness.Cleanup() as cleanup:
            if "api" in parts:
                api_benchmarks(table, arguments.berth, workdir, cleanup, sizes, database_url=None)
                if arguments.database_url:
                    api_benchmarks(table, arguments.berth, workdir, cleanup, sizes, database_url=fresh_postgres_database(arguments.database_url))
                else:
                    say("no --database-url: the PostgreSQL API run is skipped")
        if "callbacks" in parts:
            with harness.Cleanup() as cleanup:
                callback_benchmarks(table, arguments.berth, workdir, cleanup, sizes, database_url=None)
                if arguments.database_url:
                    callback_benchmarks(table, arguments.berth, workdir, cleanup, sizes,
                                        database_url=fresh_postgres_database(arguments.database_url))
        if "node" in parts:
            with harness.Cleanup() as cleanup:
                headers = dict(header.split(": ", 1) for header in arguments.console_header)
                node_benchmarks(table, arguments.berth, workdir, cleanup, sizes, arguments.console_url, headers)
        if "transfers" in parts:
            with harness.Cleanup() as cleanup:
                transfers.transfer_benchmarks(table, arguments.berth, workdir, cleanup, prepare_panel, sizes.quick)
        if "files" in parts:
            with harness.Cleanup() as cleanup:
                files.file_benchmarks(table, Node(arguments.berth, workdir, cleanup, name="files"), sizes, workdir)
        if "backups" in parts:
            with harness.Cleanup() as cleanup:
                backups.backup_benchmarks(table, Node(arguments.berth, workdir, cleanup, name="backups"), sizes, workdir)
        if "sftp" in parts:
            with harness.Cleanup() as cleanup:
                sftp.sftp_benchmarks(table, Node(arguments.berth, workdir, cleanup, name="sftp"), sizes, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = table.render(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, {os.cpu_count()} cores, "
                        f"{'quick run (not for the record)' if arguments.quick else 'full run'}, {int(time.time() - started)} s")
    print(text)
    if arguments.markdown:
        with open(arguments.markdown, "w") as file:
            file.write(text)


class Sizes:
    """How much of everything; `--quick` shrinks it all to try the harness out."""

    def __init__(self, quick):
        self.quick = quick
        self.users = 100 if quick else 1000
        self.instances = 1000 if quick else 10000
        self.wrk_seconds = 3 if quick else 10
        self.warmup_seconds = 1 if quick else 3
        self.deploys = 5 if quick else 20
        self.scaling_levels = [100, 1000] if quick else [100, 1000, 10000]
        self.scaling_deploys = 5 if quick else 10
        self.console_round_trips = 50 if quick else 200
        self.running_levels = [10, 20] if quick else [100, 500]


# MARK: - 1. API throughput and latency


def prepare_panel(berth, data, database_url):
    """A fresh panel's data: the schema, an API key and the busybox image. Returns the key."""
    os.makedirs(data, exist_ok=True)
    key = berth.run("apikey", "create", "--name", "bench", "--data", data).strip().splitlines()[-1]
    berth.run("image", "import", IMAGE_FILE, "--data", data)
    return key


def create_node(panel, port, name="bench"):
    _, created = panel.request("POST", "/api/nodes/create", {
        "name": name, "tags": "bench", "ram": "1024G", "disk": "1000G", "processor": "64",
        "address": "127.0.0.1", "port": str(port),
        # Capacity in cores is what the node reports; the benchmarks place more than a small machine has.
        "cpuOverallocation": -1,
    }, expect=201)
    node = created["Message"]
    # "echo TOKEN | berth daemon configure ... --token-file -": the token goes through standard input.
    token = created["configureCommand"].split()[1]
    return node["id"], token


def image_id(panel):
    _, images = panel.request("GET", "/api/images", expect=200)
    return next(image["Id"] for image in images if image["Name"] == IMAGE_NAME)


def api_benchmarks(table, binary, workdir, cleanup, sizes, database_url):
    database = "PostgreSQL" if database_url else "SQLite"
    say(f"API benchmarks on {database}: {sizes.instances} instances, {sizes.users} users")
    data = os.path.join(workdir, f"api-{database.lower()}")
    berth = harness.Berth(binary, workdir, cleanup, database_url)
    key = prepare_panel(berth, data, database_url)
    process = berth.start_panel(data)
    panel = harness.panel_client(key)
    # An offline node is enough for reads: nothing here asks it anything.
    node_id, _ = create_node(panel, 9, name="bench-reads")
    seeder = seed.seeder(data, database_url)
    seeder.seed(sizes.users, sizes.instances, node_id, image_id(panel))
    seeded_kib = harness.rss_kib(process.pid)
    _, instances = panel.request("GET", "/api/instances", expect=200)
    assert len(instances) == sizes.instances, f"{len(instances)} instances listed"
    ids = [instance["Id"] for instance in random.Random(6).sample(instances, min(1000, len(instances)))]
    users = [seed.user_id(index) for index in range(sizes.users)]
    base = f"http://127.0.0.1:{harness.PANEL_PORT}"
    headers = {"x-api-key": key}
    routes = [
        ("POST /api/getInstance", "POST", "/api/getInstance", [f'{{"id": "{id_}"}}' for id_ in ids]),
        ("POST /api/getUserInstance", "POST", "/api/getUserInstance", [f'{{"userId": "{user}"}}' for user in users]),
        ("GET /api/instances", "GET", "/api/instances", None),
    ]
    for label, method, path, bodies in routes:
        size = body_size(panel, method, path, bodies)
        ceiling = f"/bench/ceiling?bytes={size}"
        # The whole list takes long enough that 32 at once need a longer run (and timeout) to finish some.
        heavy = path == "/api/instances"
        seconds = sizes.wrk_seconds * (3 if heavy else 1)
        loadgen.run_wrk(base, method, path, headers, bodies, seconds=sizes.warmup_seconds, timeout_seconds=120)
        measured = loadgen.run_wrk(base, method, path, headers, bodies, seconds=seconds, timeout_seconds=120)
        loadgen.run_wrk(base, "GET", ceiling, seconds=sizes.warmup_seconds)
        reference = loadgen.run_wrk(base, "GET", ceiling, seconds=seconds)
        say(f"{database} {label}: {measured['rps']:.0f} req/s, ceiling {reference['rps']:.0f} req/s ({size} bytes)")
        if path == "/api/getInstance":
            target, met = "≥ 0.6× ceiling, p99 < 10 ms", measured["rps"] >= 0.6 * reference["rps"] and measured["p99_ms"] < 10
        elif heavy:
            target, met = "≥ 0.2× ceiling", measured["rps"] >= 0.2 * reference["rps"]
        else:
            target, met = "", None
        table.api(f"{label} ({database}, {size:,} B)", measured, reference, target, met=met)
        if path == "/api/getInstance":
            # The same body after one trivial database query: what the driver costs any read, beside Berth's work.
            floor = f"/bench/floor?bytes={size}"
            loadgen.run_wrk(base, "GET", floor, seconds=sizes.warmup_seconds)
            floor_measured = loadgen.run_wrk(base, "GET", floor, seconds=seconds)
            table.ratio(f"{label} ({database}) against one query: requests/s", measured["rps"], floor_measured["rps"], "req/s",
                        "one `SELECT 1`, same body")
        if heavy:
            # The same lists while an instance changes four times a second: each change makes the panel's
            # copy of the list useless, and the lists asked meanwhile share its next writing.
            changing, failures = threading.Event(), []

            def keep_changing():
                try:
                    while not changing.wait(0.25):
                        seeder.one(CHANGE_ONE_INSTANCE)
                except Exception as error:  # the row would measure lists that never change: stop the run
                    failures.append(error)

            changer = threading.Thread(target=keep_changing)
            changer.start()
            try:
                moving = loadgen.run_wrk(base, method, path, headers, bodies, seconds=seconds, timeout_seconds=120)
            finally:
                changing.set()
                changer.join()
            if failures:
                raise failures[0]
            table.api(f"{label} ({database}) while an instance changes 4×/s", moving, reference, "", None)
    loaded_kib = harness.rss_kib(process.pid)
    table.memory_note(f"panel after the {database} API runs", loaded_kib)
    table.ratio(f"panel resident after the {database} API runs (32 lists at once among them)", loaded_kib / 1024,
                seeded_kib / 1024, "MiB", "the same panel before them",
                "≤ idle + 64 MiB", met=loaded_kib - seeded_kib <= 64 * 1024)
    panel.close()
    harness.stop_process(process)


def callback_benchmarks(table, binary, workdir, cleanup, sizes, database_url):
    """What one panel process takes of a node's signed callbacks (benchmarks/callbacks.py)."""
    database = "PostgreSQL" if database_url else "SQLite"
    say(f"callback benchmarks on {database}")
    data = os.path.join(workdir, f"callbacks-{database.lower()}")
    berth = harness.Berth(binary, workdir, cleanup, database_url)
    key = prepare_panel(berth, data, database_url)
    process = berth.start_panel(data)
    panel = harness.panel_client(key)
    # Nothing answers at the node's address: the panel asks the node nothing while it takes callbacks.
    node_id, token = create_node(panel, 9, name="bench-callbacks")
    seed.seeder(data, database_url).seed(100, sizes.instances, node_id, image_id(panel))
    callbacks.measure(table, panel, node_id, token, sizes, database)
    panel.close()
    harness.stop_process(process)


def body_size(panel, method, path, bodies):
    return len(panel.raw(method, path, bodies[0] if bodies else None, expect=200)[1])


def fresh_postgres_database(server_url):
    import subprocess
    subprocess.run(["psql", server_url, "-qc", "DROP DATABASE IF EXISTS berth_bench"], check=True, capture_output=True)
    subprocess.run(["psql", server_url, "-qc", "CREATE DATABASE berth_bench"], check=True, capture_output=True)
    base, _, query = server_url.partition("?")
    return base.rsplit("/", 1)[0] + "/berth_bench" + (f"?{query}" if query else "")


# MARK: - 2-5. A real node: deploys, console, memory, scaling


class Node:
    """A panel and a daemon as separate processes on SQLite, with one user, deploying the busybox image."""

    def __init__(self, binary, workdir, cleanup, name="node"):
        self.berth = harness.Berth(binary, workdir, cleanup)
        self.cleanup = cleanup
        self.panel_data = os.path.join(workdir, f"{name}-panel")
        self.daemon_data = os.path.join(workdir, f"{name}-daemon")
        self.key = prepare_panel(self.berth, self.panel_data, None)
        self.panel_process = self.berth.start_panel(self.panel_data)
        self.panel = harness.panel_client(self.key)
        self.node_id, self.node_token = create_node(self.panel, harness.DAEMON_PORT)
        self.berth.run("daemon", "configure", "--panel", f"http://127.0.0.1:{harness.PANEL_PORT}", "--token-file", "-",
                       "--data", self.daemon_data, "--host", "127.0.0.1", "--port", str(harness.DAEMON_PORT),
                       "--publish-address", "127.0.0.1", input=self.node_token)
        # Whatever happens, the node's containers go: they carry its node id. Added before the daemon starts,
        # so it runs after the daemon has stopped (cleanup runs newest first) and no session sees them vanish.
        self.docker_node_id = None
        cleanup.add(self.remove_containers)
        self.daemon_process = self.berth.start_daemon(self.daemon_data)
        with open(os.path.join(self.daemon_data, "node-id")) as file:
            self.docker_node_id = file.read().strip()
        self.daemon = harness.daemon_client(self.node_token, self.daemon_data)
        self.seeder = seed.SQLiteSeeder(os.path.join(self.panel_data, "berth.sqlite"))
        self.image_id = image_id(self.panel)
        self.user = "bench-deployer"
        self.user_name, self.user_password = "bench-deployer", "bench password"
        self.panel.request("POST", "/api/auth/create-user", {
            "username": self.user_name, "email": "deployer@example.com", "password": self.user_password, "userId": self.user,
        }, expect=201)
        self.next_port = harness.FIRST_INSTANCE_PORT
        self.port_lock = threading.Lock()
        self.seeded_users = 0
        self.deployed = []
        harness.wait_until_online(self.panel, [self.node_id], seconds=60, interval=0.1)

    def take_port(self):
        with self.port_lock:
            port = self.next_port
            self.next_port += 1
            return port

    def deploy(self, panel=None, disk=None):
        """Deploys one instance (with a disk limit, if given) and waits until it is READY; returns its id
        and the seconds it took."""
        panel = panel or self.panel
        port = self.take_port()
        fields = {
            "image": DOCKER_IMAGE, "imagename": IMAGE_NAME, "memory": "64MB", "cpu": "10%", "ports": f"25565:{port}",
            "nodeId": self.node_id, "name": f"bench {port}", "user": self.user, "variables": {"GREETING": "bench"},
            # Installed, not started: READY is what is timed, and the benchmarks start instances themselves.
            "start": False,
        }
        if disk:
            fields["disk"] = disk
        start = time.perf_counter()
        _, answer = panel.request("POST", "/api/instances/deploy", fields, expect=201)
        instance_id = answer["Id"]
        while True:
            _, instance = panel.request("POST", "/api/getInstance", {"id": instance_id}, expect=200)
            if instance["InternalState"] == "READY":
                break
            if instance["InternalState"] == "FAILED":
                raise RuntimeError(f"deploy {instance_id} failed: {instance.get('Reason')}")
            time.sleep(0.005)
        elapsed = time.perf_counter() - start
        self.deployed.append(instance_id)
        return instance_id, elapsed

    def start_instance(self, instance_id, daemon=None):
        daemon = daemon or self.daemon
        daemon.request("POST", f"/api/instances/{instance_id}/power", {"action": "start"}, expect=200)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            _, status = daemon.request("GET", f"/api/instances/{instance_id}", expect=200)
            if status["powerState"] == "running":
                return status
            time.sleep(0.02)
        raise RuntimeError(f"instance {instance_id} never ran")

    def instance_count(self):
        return self.seeder.one("SELECT COUNT(*) FROM instances")

    def fill_to(self, count):
        """Seeds rows on this node until the database holds `count` instances."""
        missing = count - self.instance_count()
        if missing <= 0:
            return
        users = max(1, missing // 10)
        self.seeder.seed(users, missing, self.node_id, self.image_id, first_user=self.seeded_users,
                         first_instance=self.instance_count() + 100000, first_port=1000)
        self.seeded_users += users

    def remove_containers(self):
        if not self.docker_node_id:
            return
        docker = harness.docker_client()
        filters = '{"label": ["berth.node=%s"]}' % self.docker_node_id
        _, containers = docker.request("GET", "/containers/json?all=1&" + harness.query_string(filters=filters), expect=200)
        say(f"removing the bench node's {len(containers)} containers")

        def remove(container):
            client = harness.docker_client()
            client.request("DELETE", f"/containers/{container['Id']}?force=1", expect=(204, 404))
            client.close()

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(remove, containers))


# A change to a column the instance list shows (so the panel's copy of the list is of no more use), in SQL
# both databases take.
CHANGE_ONE_INSTANCE = "UPDATE instances SET power_state = power_state WHERE id = (SELECT id FROM instances ORDER BY created_at, id LIMIT 1)"

# The network the daemon puts every installer and instance on (BerthDaemon/Network/TenantNetwork.swift).
TENANT_NETWORK = "berth"


def direct_docker_deploy(docker, index, volume, network=TENANT_NETWORK):
    """The reference for a deploy: the Docker work of its install step, driven directly. The container is
    made as Berth's installer is (same image, script, volume bind, capabilities, limits, network), started,
    and waited for until it exits; only its removal afterwards is not timed."""
    start = time.perf_counter()
    _, created = docker.request("POST", f"/containers/create?name=berth-bench-direct-{os.getpid()}-{network}-{index}", {
        "Image": DOCKER_IMAGE, "Entrypoint": ["/bin/sh", "-c"], "Cmd": ['echo "$GREETING" > /mnt/server/greeting.txt'],
        "Env": ["GREETING=bench", "HOME=/home/container"], "Labels": {"berth.bench": "direct"},
        "WorkingDir": "/mnt/server", "User": "0:0",
        "HostConfig": {
            "NetworkMode": network, "Memory": 256 << 20, "MemorySwap": 256 << 20, "NanoCpus": 1_000_000_000,
            "PidsLimit": 512, "Binds": [f"{volume}:/mnt/server"], "CapDrop": ["ALL"],
            "CapAdd": ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"], "SecurityOpt": ["no-new-privileges"],
        },
    }, expect=201)
    docker.request("POST", f"/containers/{created['Id']}/start", expect=204)
    docker.request("POST", f"/containers/{created['Id']}/wait", expect=200)
    elapsed = time.perf_counter() - start
    docker.request("DELETE", f"/containers/{created['Id']}?force=1", expect=204)
    return elapsed


def timed_list(panel, count=5, change=None):
    """The median time of one whole list; with `change`, made (untimed) before each, so that each is written anew."""
    times = []
    for _ in range(count):
        if change:
            change()
        start = time.perf_counter()
        panel.request("GET", "/api/instances", expect=200)
        times.append(time.perf_counter() - start)
    return harness.median(times)


def timed_ceiling(panel, size, count=5):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        panel.request("GET", f"/bench/ceiling?bytes={size}", expect=200)
        times.append(time.perf_counter() - start)
    return harness.median(times)


def one_binary_daemon_idle(berth, workdir):
    """The idle memory of `berth daemon run`, the node daemon in the one binary that also holds the panel: a
    node of its own (a panel address nothing answers at), on spare ports, stopped again once measured."""
    data = os.path.join(workdir, "one-binary-daemon")
    port = harness.DAEMON_PORT + 10
    token = f"{secrets.token_hex(32)}.{secrets.token_hex(32)}"
    berth.run("daemon", "configure", "--panel", "http://127.0.0.1:9", "--token-file", "-", "--data", data,
              "--host", "127.0.0.1", "--port", str(port), "--publish-address", "127.0.0.1", input=token)
    process = berth.start_daemon(data, port=port, sftp_port=harness.SFTP_PORT + 10, one_binary=True,
                                 name="daemon-one-binary")
    time.sleep(3)
    figures = harness.memory_kib(process.pid)
    harness.stop_process(process)
    return figures


def node_benchmarks(table, binary, workdir, cleanup, sizes, console_url, console_headers=None):
    say("node benchmarks: a panel and a daemon as separate processes, on SQLite")
    node = Node(binary, workdir, cleanup)
    docker = harness.docker_client()
    time.sleep(3)

    # 4 (idle). Memory of both processes before any instance exists.
    panel_idle = harness.memory_kib(node.panel_process.pid)
    daemon_idle = harness.memory_kib(node.daemon_process.pid)
    table.memory("panel idle, RSS", panel_idle, budget_kib=50 * 1024)
    table.memory("daemon idle, RSS", daemon_idle, budget_kib=25 * 1024)
    if node.berth.node_binary:
        one_binary = one_binary_daemon_idle(node.berth, workdir)
        table.ratio("daemon idle, RSS: berth-node against berth daemon", daemon_idle["VmRSS"] / 1024,
                    one_binary["VmRSS"] / 1024, "MiB", "berth daemon, idle")

    # 2 and 5. Deploys at each database size; the first level gives the deploy latency figure.
    first_median = None
    for level in sizes.scaling_levels:
        node.fill_to(level)
        count = sizes.deploys if first_median is None else sizes.scaling_deploys
        say(f"deploying {count} instances with {node.instance_count()} in the database")
        if first_median is None:
            # Berth's deploys and the direct Docker runs take turns, so a busy moment on this shared machine
            # falls on both sides alike.
            volume = os.path.join(workdir, "direct-volume")
            os.makedirs(volume, exist_ok=True)
            deploys, direct, bridged, limited = [], [], [], []
            for index in range(count):
                deploys.append(node.deploy()[1])
                direct.append(direct_docker_deploy(docker, index, volume))
                bridged.append(direct_docker_deploy(docker, index, volume, network="bridge"))
                # With a disk limit: its image made, preallocated and mounted first. Deleted again at once,
                # so twenty of them never hold 20 GiB of the machine's disk.
                instance_id, seconds = node.deploy(disk="1G")
                limited.append(seconds)
                node.panel.request("DELETE", "/api/instance/delete", {"id": instance_id})
                node.deployed.remove(instance_id)
            deploy_median = first_median = harness.median(deploys)
            direct_median = harness.median(direct)
            table.ratio(f"deploy → READY, median of {count}", deploy_median * 1000, direct_median * 1000, "ms",
                        "docker create + start + wait, same network", "≤ 1.15× direct", met=deploy_median <= 1.15 * direct_median)
            # What isolating tenants costs a start: Docker's own work on the tenant network (its own bridge,
            # inter-container traffic off) against Docker's default bridge, Berth not involved.
            table.ratio(f"direct Docker on the tenant network, median of {count}", direct_median * 1000,
                        harness.median(bridged) * 1000, "ms", "the same on Docker's default bridge", "its cost, shown", met=True)
            limited_median = harness.median(limited)
            table.ratio(f"deploy → READY with a 1 GiB disk limit, median of {count}", limited_median * 1000,
                        deploy_median * 1000, "ms", "deploy without one", "its cost, shown", met=True)
        else:
            deploy_median = harness.median([node.deploy()[1] for _ in range(count)])
        listing = timed_list(node.panel)
        # A change to one instance before each: the panel's copy of the list is of no use, it is written anew.
        rewritten = timed_list(node.panel, change=lambda: node.seeder.one(CHANGE_ONE_INSTANCE))
        _, listed = node.panel.request("GET", "/api/instances", expect=200)
        size = len(node.panel.raw("GET", "/api/instances", expect=200)[1])
        ceiling = timed_ceiling(node.panel, size)
        table.ratio(f"deploy at {level:,} instances, median of {count}", deploy_median * 1000, first_median * 1000, "ms",
                    f"deploy at {sizes.scaling_levels[0]}", "flat (≤ 1.15×)", met=deploy_median <= 1.15 * first_median)
        table.ratio(f"GET /api/instances at {len(listed):,} instances", listing * 1000, ceiling * 1000, "ms",
                    f"ceiling, {size:,} B", "")
        table.ratio(f"GET /api/instances at {len(listed):,} instances, after a change", rewritten * 1000, ceiling * 1000,
                    "ms", f"ceiling, {size:,} B", "")

    # 3. Console round trip on a running instance, through the WebSocket and straight through Docker.
    instance_id = node.deployed[0]
    status = node.start_instance(instance_id)
    token = console.console_token(node.node_token.split(".")[0], instance_id)
    # Through the panel's relay when this panel has one (a browser's path: session cookie, panel, daemon),
    # else straight to the daemon's socket with a console token as the panel would mint it.
    console_headers = dict(console_headers or {})
    cookie = None if console_url else harness.web_session(node.user_name, node.user_password)
    if cookie:
        console_url = f"ws://127.0.0.1:{harness.PANEL_PORT}/instances/{{id}}/socket"
        console_headers.update({"Cookie": cookie, "Origin": f"http://127.0.0.1:{harness.PANEL_PORT}"})
    tls = None
    if not console_url:
        # The daemon's own socket: TLS to the node's pinned certificate, the console token in a header.
        console_url = f"wss://127.0.0.1:{harness.DAEMON_PORT}/api/instances/{{id}}/console"
        console_headers["Authorization"] = f"Bearer {token}"
        tls = harness.node_tls(node.daemon_data)
    url = console_url.format(id=instance_id, token=token)
    say(f"console: {sizes.console_round_trips} round trips through {url}, then through a direct attach")
    through_socket = console.websocket_round_trips(url, sizes.console_round_trips, console_headers, tls=tls)
    direct = console.docker_attach_round_trips(harness.docker_socket_path(), status["containerID"], sizes.console_round_trips)
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        berth_ms, direct_ms = harness.percentile(through_socket, fraction), harness.percentile(direct, fraction)
        via = "daemon WebSocket" if "/api/instances/" in url else "panel WebSocket"
        table.ratio(f"console round trip {label} of {len(through_socket)} ({via})", berth_ms, direct_ms, "ms",
                    "direct docker attach", "≤ direct + 2 ms", met=berth_ms <= direct_ms + 2)

    # 4 (loaded). The daemon's memory with many running instances.
    running = {instance_id}
    previous = (0, daemon_idle["VmRSS"])
    for level in sizes.running_levels:
        say(f"running {level} instances")
        deploy_and_start(node, level - len(running), running)
        time.sleep(10)
        daemon = harness.memory_kib(node.daemon_process.pid)
        shims = shim_rss_kib(docker, node.docker_node_id)
        table.memory(f"daemon with {len(running)} running, RSS", daemon)
        # Against idle, and (from the second level on) the marginal cost between two levels, which leaves
        # out what the first sessions page in once (code, caches) and shows what each further instance adds.
        per_instance = (daemon["VmRSS"] - daemon_idle["VmRSS"]) / len(running)
        table.ratio(f"daemon RSS per running instance, {len(running)} vs idle", per_instance, shims, "KiB",
                    "containerd-shim per container", "≤ 100 KB", met=per_instance * 1024 <= 100_000)
        if previous[0]:
            marginal = (daemon["VmRSS"] - previous[1]) / (len(running) - previous[0])
            table.ratio(f"daemon RSS per running instance, {previous[0]} → {len(running)}", marginal, shims, "KiB",
                        "containerd-shim per container", "≤ 100 KB", met=marginal * 1024 <= 100_000)
        previous = (len(running), daemon["VmRSS"])
    table.memory_note("panel at the end of the node benchmarks", harness.rss_kib(node.panel_process.pid))
    node.panel.close()
    node.daemon.close()


def deploy_and_start(node, count, running):
    """Deploys and starts `count` more instances, four at a time (as a billing system's burst would)."""
    local = threading.local()

    def one(_):
        if not hasattr(local, "panel"):
            local.panel = harness.panel_client(node.key)
            local.daemon = harness.daemon_client(node.node_token, node.daemon_data)
        instance_id, _ = node.deploy(local.panel)
        node.start_instance(instance_id, local.daemon)
        return instance_id

    already = [instance for instance in node.deployed if instance not in running]
    for instance_id in already[:count]:
        node.start_instance(instance_id)
        running.add(instance_id)
    remaining = count - min(count, len(already))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for instance_id in pool.map(one, range(remaining)):
            running.add(instance_id)


def shim_rss_kib(docker, docker_node_id):
    """What Docker itself spends resident per running container of the node: its containerd-shim's RSS."""
    filters = '{"label": ["berth.node=%s"], "status": ["running"]}' % docker_node_id
    _, containers = docker.request("GET", "/containers/json?" + harness.query_string(filters=filters), expect=200)
    ids = {container["Id"] for container in containers}
    total, shims = 0, 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                arguments = file.read().split(b"\0")
        except OSError:
            continue
        if not arguments or b"containerd-shim" not in arguments[0]:
            continue
        if b"-id" in arguments and arguments[arguments.index(b"-id") + 1].decode() in ids:
            try:
                total += harness.rss_kib(pid)
                shims += 1
            except (OSError, RuntimeError):
                pass
    return total / shims if shims else float("nan")


if __name__ == "__main__":
    main()
