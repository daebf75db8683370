"""What every benchmark needs: Berth's processes, HTTP to the panel, to the daemon and to Docker, statistics.

Python's standard library only. Every process and container a benchmark starts is tracked here and
removed again by `Cleanup`, also when a benchmark fails half-way.
"""

import html
import http.client
import json
import math
import os
import re
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import time
import urllib.parse

# Ports of the bench servers: below the tests' range (20000-32767) and Linux's ephemeral range.
PANEL_PORT = 19001
DAEMON_PORT = 19002
# The bench node's SFTP server, and the OpenSSH server the SFTP benchmark starts as its reference.
SFTP_PORT = 19003
SFTP_REFERENCE_PORT = 19004
# Host ports of deployed instances: above the ephemeral range (32768-60999).
FIRST_INSTANCE_PORT = 61000


def say(message):
    print(f"\033[1m--> {message}\033[0m", file=sys.stderr, flush=True)


def percentile(values, fraction):
    """The nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered) - 1e-9))
    return ordered[rank - 1]


def median(values):
    return statistics.median(values)


# MARK: - HTTP


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a unix socket, as Docker's engine API speaks it."""

    def __init__(self, path, timeout=120):
        super().__init__("docker", timeout=timeout)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


class Client:
    """A keep-alive JSON client for one server: the panel (x-api-key), the daemon (node token) or Docker."""

    def __init__(self, connect, headers=None):
        self.connect = connect
        self.headers = headers or {}
        self.connection = None

    def request(self, method, path, body=None, expect=None):
        """Sends a request; returns the status and the JSON answer (None when empty)."""
        status, data = self.raw(method, path, body, expect)
        if not data:
            return status, None
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data

    def raw(self, method, path, body=None, expect=None):
        """Sends a request; returns the status and the body's bytes as sent."""
        payload = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
        headers = dict(self.headers)
        if payload is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = self.connect()
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                # The server closed an idle keep-alive connection; try once on a new one.
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        if expect is not None and response.status not in (expect if isinstance(expect, tuple) else (expect,)):
            raise RuntimeError(f"{method} {path} answered {response.status}: {data[:300]!r}")
        return response.status, data

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def panel_client(api_key, port=PANEL_PORT):
    return Client(lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=120), {"x-api-key": api_key})


def node_tls(daemon_data):
    """A TLS context that trusts the node's own certificate alone, as the panel pins it (no name check)."""
    context = ssl.create_default_context(cafile=os.path.join(daemon_data, "node-certificate.pem"))
    context.check_hostname = False
    return context


def daemon_client(node_token, daemon_data, port=DAEMON_PORT):
    """The daemon's API over its TLS, with the secret the panel presents (the token's part before the dot)."""
    context = node_tls(daemon_data)
    return Client(lambda: http.client.HTTPSConnection("127.0.0.1", port, timeout=120, context=context),
                  {"Authorization": f"Bearer {node_token.split('.')[0]}"})


def docker_socket_path():
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        raise SystemExit(f"the benchmarks talk to Docker over a unix socket; DOCKER_HOST is {host}")
    return host[len("unix://"):]


def docker_client():
    path = docker_socket_path()
    return Client(lambda: UnixHTTPConnection(path))


def web_session(username, password, port=PANEL_PORT):
    """Signs in through the panel's web form as a browser does; returns the session cookie ("name=value"),
    or None when this panel has no web sign-in."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode(errors="replace")
    if response.status != 200:
        return None
    cookie = _session_cookie(response)
    match = re.search(r'name="csrf" value="([^"]*)"', page)
    if not match or not cookie:
        raise RuntimeError("the sign-in page has no CSRF token or session cookie")
    form = urllib.parse.urlencode({"username": username, "password": password, "csrf": html.unescape(match.group(1)), "next": "/"})
    connection.request("POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    if response.status not in (302, 303):
        raise RuntimeError(f"signing in as {username} answered {response.status}")
    connection.close()
    return _session_cookie(response) or cookie


def _session_cookie(response):
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            return value.split(";", 1)[0]
    return None


# MARK: - Processes


class Cleanup:
    """Stops what the benchmarks started, newest first: processes by their pid, containers by their id."""

    def __init__(self):
        self.actions = []

    def add(self, action):
        self.actions.append(action)

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        while self.actions:
            action = self.actions.pop()
            try:
                action()
            except Exception as error:  # cleanup goes on whatever one step says
                print(f"cleanup: {error}", file=sys.stderr)
        return False


def rss_kib(pid):
    """Resident memory of one process, in KiB (VmRSS)."""
    return memory_kib(pid)["VmRSS"]


def memory_kib(pid):
    """VmRSS and its parts, in KiB: RssAnon (the process's own heap and stacks) and RssFile (pages of the
    binary and shared libraries, shared with every process that maps them and reclaimable by the kernel)."""
    figures = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                figures[name] = int(value.split()[0])
    if "VmRSS" not in figures:
        raise RuntimeError(f"no VmRSS for {pid}")
    return figures


def wait_until_online(panel, node_ids, seconds, interval):
    """Waits until the panel lists every node in `node_ids` as online."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, listed = panel.request("GET", "/api/nodes", expect=200)
        online = {node["id"] for node in listed if node["status"] == "online"}
        if online.issuperset(node_ids):
            return
        time.sleep(interval)
    raise RuntimeError(f"nodes {', '.join(node_ids)} did not come online within {seconds} s")


def wait_for_port(port, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before it listened on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on {port} within {seconds} s")


class Berth:
    """Runs the `berth` binary: one-off commands, and the panel and the daemon as separate processes."""

    def __init__(self, binary, workdir, cleanup, database_url=None, wrapper=()):
        self.binary = binary
        # e.g. valgrind's callgrind in front of the servers (benchmarks/profile.py)
        self.wrapper = list(wrapper)
        self.workdir = workdir
        self.cleanup = cleanup
        self.database_url = database_url

    def environment(self, extra=None):
        environment = dict(os.environ)
        environment.pop("BERTH_DATABASE_URL", None)
        if self.database_url:
            environment["BERTH_DATABASE_URL"] = self.database_url
        environment.update(extra or {})
        return environment

    def run(self, *arguments, input=None):
        """A one-off command, with `input` on its standard input; returns its output."""
        result = subprocess.run([self.binary, *arguments], env=self.environment(), capture_output=True, text=True, input=input)
        if result.returncode != 0:
            raise RuntimeError(f"berth {' '.join(arguments)} failed: {result.stderr.strip()}")
        return result.stdout

    def start(self, name, arguments, port, extra_environment=None, binary=None):
        log = open(os.path.join(self.workdir, f"{name}.log"), "ab")
        process = subprocess.Popen(
            [*self.wrapper, binary or self.binary, *arguments], env=self.environment(extra_environment),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        self.cleanup.add(lambda: stop_process(process))
        wait_for_port(port, process, seconds=600 if self.wrapper else 120)
        return process

    def start_panel(self, data, port=PANEL_PORT):
        # The ceiling route exists only when asked for; the benchmarks need it.
        # The benchmark's node runs on this machine, so its loopback address must be allowed.
        return self.start("panel", ["panel", "--data", data, "--port", str(port), "--allow-loopback-nodes"], port,
                          {"BERTH_BENCH_CEILING": "1"})

    @property
    def node_binary(self):
        """berth-node, the daemon without the panel linked in, when it was built beside berth."""
        node = os.path.join(os.path.dirname(self.binary), "berth-node")
        return node if os.path.exists(node) else None

    def start_daemon(self, data, port=DAEMON_PORT, sftp_port=SFTP_PORT, one_binary=False, name="daemon"):
        # A node runs berth-node (`berth daemon run` where it is missing, or when asked for the one binary).
        # The console benchmark sends commands back to back, far faster than a person would.
        node = None if one_binary else self.node_binary
        command = ["run"] if node else ["daemon", "run"]
        return self.start(name, [*command, "--data", data, "--console-commands-per-second", "1000000",
                                 "--sftp-port", str(sftp_port)], port, binary=node)


def stop_process(process):
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def query_string(**parameters):
    return urllib.parse.urlencode(parameters)
