"""Backup benchmarks: backing up and restoring an instance's files through the panel against `tar` + `zstd`
of the same directory on the same disk (the issue's target: at least 0.8× their speed).

The files are half incompressible (random) and half text, as a game world's region files and configuration
are; 1 GiB in all (64 MiB with --quick). Berth's backup also reads its archive back for its SHA-256, and its
restore stops and starts the instance: both count against it.
"""

import os
import shutil
import subprocess
import time

from files import best_of, timed  # noqa: F401
from harness import say


def fill(folder, size_mib):
    """`size_mib` files of 1 MiB in 16 folders: every other one random, the rest text."""
    text = ("level-name=world\nmotd=A Berth server\nmax-players=20\n" * 20000).encode()[: 1 << 20]
    for index in range(size_mib):
        sub = os.path.join(folder, "world", f"region-{index % 16:02}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"r.{index}.mca"), "wb") as file:
            file.write(os.urandom(1 << 20) if index % 2 == 0 else text)


def backup_benchmarks(table, node, sizes, workdir):
    say("backup benchmarks: a backup and a restore through the panel against tar + zstd")
    instance_id, _ = node.deploy()
    volume = os.path.join(node.daemon_data, "volumes", instance_id)
    size_mib = 64 if sizes.quick else 1024
    fill(volume, size_mib)
    backups = f"/api/v1/instances/{instance_id}/backups"
    made = []

    def back_up():
        # Begun at once (202); made when the list says it is ready, looked at every 50 ms.
        _, backup = node.panel.request("POST", backups, {}, expect=202)
        while True:
            _, listed = node.panel.request("GET", backups, expect=200)
            state = next(item["state"] for item in listed if item["id"] == backup["id"])
            if state != "creating":
                break
            time.sleep(0.05)
        if state != "ready":
            raise RuntimeError(f"the backup failed: {listed}")
        made.append(backup["id"])

    def forget_all():
        while made:
            node.panel.request("DELETE", f"{backups}/{made.pop()}", expect=204)

    # Best of three, each from nothing: the backups of one run are deleted before the next.
    durations = []
    for _ in range(3):
        durations.append(timed(back_up))
        kept = made[-1]
        made.pop()
        forget_all()
        made.append(kept)
    backed_up = min(durations)
    archive = os.path.join(workdir, "reference.tar.zst")

    def tar_zstd():
        subprocess.run(["sh", "-c", f"tar -C '{volume}' -cf - . | zstd -3 -q -f -o '{archive}' && sync '{archive}'"], check=True)

    reference = best_of(3, tar_zstd)
    table.ratio(f"back up {size_mib} MiB through the panel, MiB/s", size_mib / backed_up, size_mib / reference, "MiB/s",
                "tar + zstd -3 on the same disk", "≥ 0.8× tar + zstd", met=reference / backed_up >= 0.8)

    backup = made[-1]
    restored = best_of(3, lambda: node.panel.request("POST", f"{backups}/{backup}/restore", {}, expect=200))
    scratch = os.path.join(node.daemon_data, "restore-reference")

    def untar():
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)
        subprocess.run(["sh", "-c", f"zstd -dc '{archive}' | tar -C '{scratch}' -xf - && sync"], check=True)

    reference = best_of(3, untar)
    shutil.rmtree(scratch, ignore_errors=True)
    os.remove(archive)
    table.ratio(f"restore {size_mib} MiB through the panel, MiB/s", size_mib / restored, size_mib / reference, "MiB/s",
                "zstd -d + tar -x on the same disk", "≥ 0.8× zstd + tar", met=reference / restored >= 0.8)
    forget_all()
