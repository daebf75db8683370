"""SFTP benchmarks: `put` and `get` of one big file of random bytes through the node's SFTP server against
OpenSSH's own `sftp-server` (Debian's openssh-server, an `sshd` of the benchmark's own on a spare loopback
port), with the same client (OpenSSH's `sftp`) and cipher on both sides; the login alone; and the resident
memory of the daemon during the transfers beside that of sshd and its session processes (flat: files are
streamed, never held).
"""

import getpass
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import time

import harness
from harness import say

SSHD = "/usr/sbin/sshd"
SFTP_SERVER = "/usr/lib/openssh/sftp-server"
# The one cipher both sides use; Berth's server offers aes128-gcm@openssh.com and aes256-gcm@openssh.com.
CIPHER = "aes128-gcm@openssh.com"
# And the one key exchange: OpenSSH 9.2 would otherwise pick sntrup761x25519-sha512, which swift-nio-ssh does
# not offer and which costs sshd about 180 ms more a login here.
KEY_EXCHANGE = "curve25519-sha256"
ROUNDS = 3
LOGINS = 5


def sftp_benchmarks(table, node, sizes, workdir):
    say("SFTP benchmarks: put and get through the node's SFTP server and through OpenSSH's sftp-server")
    for program in (SSHD, SFTP_SERVER, "/usr/bin/sftp", "/usr/bin/ssh-keygen"):
        if not os.access(program, os.X_OK):
            raise RuntimeError(f"{program} is missing: install openssh-server and openssh-client (scripts/bench does)")
    cleanup = node.cleanup
    scratch = tempfile.mkdtemp(prefix="sftp.", dir=workdir)
    cleanup.add(lambda: shutil.rmtree(scratch, ignore_errors=True))
    harness.wait_for_port(harness.SFTP_PORT, node.daemon_process)

    instance_id, _ = node.deploy()
    volume = os.path.join(node.daemon_data, "volumes", instance_id)
    cleanup.add(lambda: remove(os.path.join(volume, "payload.bin")))
    login = f"{node.user_name}.{instance_id.lower().replace('-', '')[:8]}"
    berth = Client(scratch, harness.SFTP_PORT, login, password=node.user_password)

    reference_port = harness.SFTP_REFERENCE_PORT
    openssh = OpenSSHServer(os.path.join(scratch, "sshd"), reference_port, cleanup)
    reference = Client(scratch, reference_port, getpass.getuser(), key=openssh.client_key)
    remote = os.path.join(scratch, "remote")
    os.makedirs(remote)

    size_mib = 64 if sizes.quick else 1024
    source = os.path.join(scratch, "payload.bin")
    make_payload(source, size_mib)
    expected = sha256(source)

    # Memory of both servers, sampled throughout; "before" is each side with no session open yet.
    daemon_pid = node.daemon_process.pid
    before = harness.rss_kib(daemon_pid), tree_rss_kib(openssh.process.pid)
    sampler = Sampler({"berth": lambda: harness.rss_kib(daemon_pid), "openssh": lambda: tree_rss_kib(openssh.process.pid)})
    cleanup.add(sampler.stop)
    sampler.start()

    # The login alone (connect, key exchange, authenticate, open the subsystem, leave): Berth checks the
    # password with the panel, sshd a key. Taking turns, so a busy moment falls on both sides alike.
    logins = {"berth": [], "openssh": []}
    for _ in range(LOGINS):
        logins["berth"].append(berth.run("pwd"))
        logins["openssh"].append(reference.run("pwd"))

    say(f"{ROUNDS} rounds of put and get of {size_mib} MiB on each side")
    uploads = {"berth": [], "openssh": []}
    downloads = {"berth": [], "openssh": []}
    sides = (("berth", berth, "payload.bin", volume), ("openssh", reference, os.path.join(remote, "payload.bin"), remote))
    for _ in range(ROUNDS):
        for name, client, remote_path, folder in sides:
            remove(os.path.join(folder, "payload.bin"))
            os.sync()  # each transfer starts without the previous one's writes still going to disk
            uploads[name].append(client.run(f'put "{source}" "{remote_path}"'))
        for name, client, remote_path, folder in sides:
            target = os.path.join(scratch, f"downloaded-{name}.bin")
            remove(target)
            os.sync()
            downloads[name].append(client.run(f'get "{remote_path}" "{target}"'))
            if sha256(target) != expected:
                raise RuntimeError(f"the file downloaded from {name} differs from the one uploaded")
            os.remove(target)
    for name, _, _, folder in sides:
        if sha256(os.path.join(folder, "payload.bin")) != expected:
            raise RuntimeError(f"the file uploaded to {name} differs from the source")
    peaks = sampler.stop()

    for label, timings in (("upload (put)", uploads), ("download (get)", downloads)):
        rate, reference_rate = size_mib / harness.median(timings["berth"]), size_mib / harness.median(timings["openssh"])
        say(f"SFTP {label}: {rate:.0f} MiB/s, OpenSSH {reference_rate:.0f} MiB/s (each round: "
            f"{', '.join(f'{size_mib / seconds:.0f}' for seconds in timings['berth'])} against "
            f"{', '.join(f'{size_mib / seconds:.0f}' for seconds in timings['openssh'])})")
        table.ratio(f"SFTP {label} of {size_mib} MiB, median of {ROUNDS}, MiB/s", rate, reference_rate, "MiB/s",
                    f"OpenSSH sftp-server, {CIPHER.split('@')[0]}", "≥ 0.8× OpenSSH", met=rate >= 0.8 * reference_rate)
    table.ratio(f"SFTP login and leave, median of {LOGINS}", harness.median(logins["berth"]) * 1000,
                harness.median(logins["openssh"]) * 1000, "ms", "sshd, key instead of password")
    berth_before, openssh_before = before
    berth_peak, openssh_peak = peaks.get("berth", berth_before), peaks.get("openssh", openssh_before)
    table.ratio("daemon RSS before SFTP", berth_before / 1024, openssh_before / 1024, "MiB", "sshd listening")
    table.ratio(f"daemon RSS peak during the {size_mib} MiB transfers", berth_peak / 1024, openssh_peak / 1024, "MiB",
                "sshd + its session processes")
    table.ratio(f"daemon RSS growth during the {size_mib} MiB transfers", (berth_peak - berth_before) / 1024,
                (openssh_peak - openssh_before) / 1024, "MiB", "sshd + its session processes",
                "flat (< +32 MiB)", met=berth_peak - berth_before < 32 * 1024)
    for _, _, _, folder in sides:
        remove(os.path.join(folder, "payload.bin"))
    os.remove(source)


class Client:
    """OpenSSH's `sftp` against one server, with the same options on both sides but the way it signs in."""

    def __init__(self, scratch, port, user, password=None, key=None):
        self.scratch = scratch
        self.environment = dict(os.environ)
        options = ["-F", "/dev/null", "-P", str(port), "-o", f"Ciphers={CIPHER}", "-o", f"KexAlgorithms={KEY_EXCHANGE}",
                   "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"]
        if password is not None:
            # sftp's -b turns batch mode on, which forbids passwords; ssh keeps the first value it is given,
            # so BatchMode=no goes before -b. The password comes from an askpass program.
            askpass = os.path.join(scratch, f"askpass-{port}")
            with open(askpass, "w") as file:
                file.write(f"#!/bin/sh\nprintf '%s\\n' '{password}'\n")
            os.chmod(askpass, 0o700)
            self.environment.update({"SSH_ASKPASS": askpass, "SSH_ASKPASS_REQUIRE": "force"})
            options = ["-o", "BatchMode=no", *options, "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no"]
        else:
            options += ["-i", key, "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey",
                        "-o", "PasswordAuthentication=no"]
        self.options = options
        self.destination = f"{user}@127.0.0.1"

    def run(self, command):
        """Runs one sftp session doing `command`; returns its wall-clock seconds."""
        batch = os.path.join(self.scratch, "batch")
        with open(batch, "w") as file:
            file.write(command + "\n")
        start = time.perf_counter()
        result = subprocess.run(["sftp", *self.options, "-b", batch, self.destination], env=self.environment,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            raise RuntimeError(f"sftp to {self.destination} ({command}) failed: {(result.stderr or result.stdout).strip()[-500:]}")
        return elapsed


class OpenSSHServer:
    """Debian's sshd with its sftp-server, on a loopback port of its own, with a throwaway host key and one
    client key; stopped again by `cleanup`. The system's own ssh service is left alone."""

    def __init__(self, folder, port, cleanup):
        os.makedirs(folder)
        host_key = os.path.join(folder, "host_ed25519")
        self.client_key = os.path.join(folder, "client_ed25519")
        for key in (host_key, self.client_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        shutil.copy(self.client_key + ".pub", os.path.join(folder, "authorized_keys"))
        config = os.path.join(folder, "sshd_config")
        with open(config, "w") as file:
            file.write("\n".join([
                f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}", f"PidFile {folder}/sshd.pid",
                f"AuthorizedKeysFile {folder}/authorized_keys", "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "StrictModes no", "UsePAM no", "Ciphers aes128-gcm@openssh.com,aes256-gcm@openssh.com",
                f"Subsystem sftp {SFTP_SERVER}", "",
            ]))
        # The privilege separation folder sshd insists on; made (and removed again) only if missing.
        if not os.path.isdir("/run/sshd"):
            os.makedirs("/run/sshd", mode=0o755)
            cleanup.add(lambda: os.rmdir("/run/sshd"))
        self.log_path = os.path.join(folder, "sshd.log")
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", config], stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        cleanup.add(lambda: harness.stop_process(self.process))
        try:
            harness.wait_for_port(port, self.process, seconds=30)
        except RuntimeError as error:
            with open(self.log_path, errors="replace") as file:
                raise RuntimeError(f"{error}: {file.read()[-500:]}") from None


class Sampler:
    """Samples each of several figures every 100 ms on a thread of its own and keeps the highest."""

    def __init__(self, figures):
        self.figures = figures
        self.peaks = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)

    def start(self):
        self.thread.start()

    def sample(self):
        while not self.stopping.is_set():
            for name, figure in self.figures.items():
                try:
                    value = figure()
                except (OSError, RuntimeError):
                    continue
                self.peaks[name] = max(value, self.peaks.get(name, 0))
            self.stopping.wait(0.1)

    def stop(self):
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()
        return self.peaks


def tree_rss_kib(pid):
    """VmRSS of a process and all its descendants, in KiB: sshd, and for each connection its privileged
    monitor, the session process and sftp-server."""
    children = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as file:
                # The command name, in parentheses, may hold spaces; the parent pid is the second field after it.
                parent = int(file.read().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            total += harness.rss_kib(current)
        except (OSError, RuntimeError):
            pass  # gone, or a zombie without memory
        pending += children.get(current, [])
    return total


def make_payload(path, size_mib):
    with open(path, "wb") as file:
        for _ in range(size_mib):
            file.write(os.urandom(1 << 20))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while piece := file.read(1 << 22):
            digest.update(piece)
    return digest.hexdigest()


def remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
