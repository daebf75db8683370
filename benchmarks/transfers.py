"""Moving an instance between two nodes, each in a network namespace with a Docker engine of its own (as
the cluster test builds them, scripts/lib/test-cluster.sh): an instance whose volume holds a 1 GiB world
file, moved offline (stopped for the whole copy) and then back live (copied while it runs, stopped only for
the blocks that changed since). The instance itself rewrites 10 MiB of its world file every second while
it runs, as a game server saves, so a live move always has changes to send after its copy.

The figure is the downtime each move records (from the stop on the node it leaves until it runs on the
other); the reference is the offline move of the same instance in the same run.
"""

import json
import os
import subprocess
import time

import harness

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLUSTER_SCRIPT = os.path.join(REPOSITORY, "scripts", "lib", "test-cluster.sh")
NODE_PORT = 8443
WORLD_MIB = 1024
CHANGED_MIB_A_SECOND = 10

IMAGE = {
    "Name": "Busy world",
    "Description": "A world file that its server rewrites 10 MiB of each second (benchmarks/transfers.py).",
    "Author": "Berth",
    "Image": "berth/busybox:latest",
    "AltImages": [],
    "Env": [],
    "Variables": {},
    "Install": {"Script": f"dd if=/dev/urandom of=/mnt/server/world.bin bs=1M count={WORLD_MIB} 2>/dev/null"},
    "Startup": (f"(while true; do dd if=/dev/urandom of=world.bin bs=1M count={CHANGED_MIB_A_SECOND} "
                f"seek=$((RANDOM % {WORLD_MIB - CHANGED_MIB_A_SECOND})) conv=notrunc 2>/dev/null; sleep 1; done) & "
                "echo ready; while read line; do [ \"$line\" = stop ] && exit 0; done"),
    "Ready": "ready",
    "StopCommand": "stop",
    "StopTimeout": 10,
    "features": [],
}


def transfer_benchmarks(table, binary, workdir, cleanup, prepare_panel, quick):
    world_note = "quick: a 64 MiB world" if quick else f"{WORLD_MIB} MiB world"
    cluster = os.path.join(workdir, "cluster")
    # Its engines get the bench's image; `down` first, as `up` does, so a crashed run leaves nothing.
    environment = dict(os.environ, BERTH_CLUSTER_IMAGES="berth/busybox:latest")
    subprocess.run([CLUSTER_SCRIPT, "up", cluster, "2"], check=True, env=environment)
    cleanup.add(lambda: subprocess.run([CLUSTER_SCRIPT, "down", cluster], check=False))
    berth = harness.Berth(binary, workdir, cleanup)
    data = os.path.join(workdir, "transfers-panel")
    key = prepare_panel(berth, data, None)
    image_file = os.path.join(workdir, "busy-world.json")
    image = dict(IMAGE)
    if quick:
        image["Install"] = {"Script": "dd if=/dev/urandom of=/mnt/server/world.bin bs=1M count=64 2>/dev/null"}
        image["Startup"] = image["Startup"].replace(f"% {WORLD_MIB - CHANGED_MIB_A_SECOND}", "% 54")
    with open(image_file, "w") as file:
        json.dump(image, file)
    berth.run("image", "import", image_file, "--data", data)
    # On every address: the test reaches it on loopback, the nodes on the cluster's bridge.
    berth.start("transfers-panel", ["panel", "--data", data, "--host", "0.0.0.0", "--port", str(harness.PANEL_PORT),
                                    "--public-url", f"http://10.231.0.1:{harness.PANEL_PORT}"], harness.PANEL_PORT)
    panel = harness.panel_client(key)
    nodes = [start_node(berth, panel, cluster, number, cleanup) for number in (1, 2)]
    harness.wait_until_online(panel, nodes, seconds=120, interval=0.2)
    panel.request("POST", "/api/auth/create-user", {"username": "mover", "email": "mover@example.com",
                                                     "password": "bench password", "userId": "mover"}, expect=201)
    _, deployed = panel.request("POST", "/api/instances/deploy", {
        "image": "berth/busybox:latest", "imagename": "Busy world", "memory": "256MB", "cpu": "50%",
        "ports": "25565:25565", "nodeId": nodes[0], "name": "busy world", "user": "mover",
    }, expect=201)
    instance = deployed["Id"]
    wait_for(panel, instance, lambda row: row["PowerState"] == "running", 600)
    offline = move(panel, instance, nodes[1], "offline")
    wait_for(panel, instance, lambda row: row["PowerState"] == "running" and row["Node"]["id"] == nodes[1], 600)
    time.sleep(3)  # the server writes on the other node a while, as it would
    live = move(panel, instance, nodes[0], "live")
    changed_mib = (live.get("changedBytes") or 0) / (1 << 20)
    table.ratio(f"moving an instance between nodes, downtime: live ({world_note}, {changed_mib:.0f} MiB of blocks changed after the copy)",
                live["downtimeMilliseconds"], offline["downtimeMilliseconds"], "ms", "offline, the same instance",
                "≤ 5 s", met=live["downtimeMilliseconds"] <= 5000)
    table.ratio("moving an instance between nodes, bytes sent node to node: live", live["bytes"] / (1 << 20),
                offline["bytes"] / (1 << 20), "MiB", "offline")
    panel.close()


def start_node(berth, panel, cluster, number, cleanup):
    address = f"10.231.0.{10 + number}"
    _, created = panel.request("POST", "/api/nodes/create", {
        "name": f"mover-{number}", "tags": "bench", "ram": "64G", "disk": "200G", "processor": "8",
        "address": address, "port": str(NODE_PORT),
    }, expect=201)
    token = created["configureCommand"].split()[1]
    data = os.path.join(cluster, f"node-{number}")
    os.makedirs(data, exist_ok=True)
    berth.run("daemon", "configure", "--panel", f"http://10.231.0.1:{harness.PANEL_PORT}", "--token-file", "-",
              "--data", data, "--host", address, "--port", str(NODE_PORT), "--publish-address", address, input=token)
    node = berth.node_binary
    command = [node, "run"] if node else [berth.binary, "daemon", "run"]
    log = open(os.path.join(cluster, f"node-{number}.log"), "ab")
    process = subprocess.Popen(
        ["nsenter", f"--net=/run/netns/berth-test-cluster-{number}", *command, "--data", data, "--no-sftp"],
        env=dict(os.environ, DOCKER_HOST=f"unix://{cluster}/engine-{number}/docker.sock"),
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    cleanup.add(lambda: harness.stop_process(process))
    return created["Message"]["id"]


def wait_for(panel, instance, condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, row = panel.request("POST", "/api/getInstance", {"id": instance}, expect=200)
        if condition(row):
            return row
        time.sleep(0.2)
    raise RuntimeError(f"instance {instance} never got there: {row}")


def move(panel, instance, node, mode):
    panel.request("POST", f"/api/v1/instances/{instance}/transfer", {"node": node, "mode": mode}, expect=202)
    deadline = time.monotonic() + 1200
    while time.monotonic() < deadline:
        _, transfers = panel.request("GET", f"/api/v1/instances/{instance}/transfers", expect=200)
        latest = transfers[0]
        if latest["state"] == "done":
            harness.say(f"{mode} move: {latest}")
            return latest
        if latest["state"] == "failed":
            raise RuntimeError(f"the {mode} move failed: {latest.get('error')}")
        time.sleep(0.5)
    raise RuntimeError(f"the {mode} move never finished")
