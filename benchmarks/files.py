"""File manager benchmarks: uploads and downloads through the panel against `cp` on the same disk, a
listing of 10,000 files against `ls -l`, an extraction of 10,000 files against `bsdtar -x`, and the
daemon's memory during the upload (flat: the upload is streamed, never held).
"""

import http.client
import os
import shutil
import subprocess
import threading
import time
import urllib.parse

import harness
from harness import say


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def best_of(count, action):
    """The fastest of `count` runs: the figure least disturbed by the rest of the machine."""
    return min(timed(action) for _ in range(count))


def panel_connection():
    return http.client.HTTPConnection("127.0.0.1", harness.PANEL_PORT, timeout=600)


def files_path(instance_id, tail="", path=None):
    query = "?path=" + urllib.parse.quote(path, safe="") if path is not None else ""
    return f"/api/v1/instances/{instance_id}/files{tail}{query}"


def upload(key, instance_id, source, target):
    connection = panel_connection()
    size = os.path.getsize(source)
    with open(source, "rb") as file:
        connection.request("PUT", files_path(instance_id, "/contents", target), body=file,
                           headers={"x-api-key": key, "Content-Type": "application/octet-stream", "Content-Length": str(size)})
        response = connection.getresponse()
        response.read()
    connection.close()
    if response.status != 201:
        raise RuntimeError(f"upload answered {response.status}")


def download(key, instance_id, path, target):
    connection = panel_connection()
    connection.request("GET", files_path(instance_id, "/contents", path), headers={"x-api-key": key})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"download answered {response.status}")
    with open(target, "wb") as file:
        while True:
            piece = response.read(1 << 20)
            if not piece:
                break
            file.write(piece)
    connection.close()


def sample_rss(pid, stop, peaks):
    while not stop.is_set():
        peaks.append(harness.rss_kib(pid))
        time.sleep(0.05)


def file_benchmarks(table, node, sizes, workdir):
    say("file benchmarks: uploads, downloads, a big listing and an extraction through the panel")
    key = node.key
    instance_id, _ = node.deploy()
    volume = os.path.join(node.daemon_data, "volumes", instance_id)
    size_mib = 64 if sizes.quick else 1024
    source = os.path.join(workdir, "payload.bin")
    with open(source, "wb") as file:
        block = os.urandom(1 << 20)
        for _ in range(size_mib):
            file.write(block)

    # Upload: the panel streams to the daemon, which writes beside, fsyncs and renames; cp + sync on the same disk.
    idle = harness.rss_kib(node.daemon_process.pid)
    stop, peaks = threading.Event(), []
    sampler = threading.Thread(target=sample_rss, args=(node.daemon_process.pid, stop, peaks))
    sampler.start()
    uploaded = best_of(3, lambda: upload(key, instance_id, source, "payload.bin"))
    stop.set()
    sampler.join()
    copy_target = os.path.join(volume, "copied.bin")
    copied = best_of(3, lambda: subprocess.run(["sh", "-c", f"cp '{source}' '{copy_target}' && sync '{copy_target}'"], check=True))
    os.remove(copy_target)
    table.ratio(f"upload {size_mib} MiB through the panel, MiB/s", size_mib / uploaded, size_mib / copied, "MiB/s",
                "cp + sync on the same disk", "≥ 0.7× cp", met=copied / uploaded >= 0.7)
    peak = max(peaks) if peaks else idle
    table.ratio(f"daemon RSS during the {size_mib} MiB upload", peak / 1024, idle / 1024, "MiB", "daemon before it",
                "flat (< +32 MiB)", met=peak - idle < 32 * 1024)

    # Download: through the panel into a file on the same disk; cp of the file to another.
    target = os.path.join(workdir, "downloaded.bin")
    downloaded = best_of(3, lambda: download(key, instance_id, "payload.bin", target))
    copied = best_of(3, lambda: subprocess.run(["cp", os.path.join(volume, "payload.bin"), target], check=True))
    os.remove(target)
    table.ratio(f"download {size_mib} MiB through the panel, MiB/s", size_mib / downloaded, size_mib / copied, "MiB/s",
                "cp on the same disk", "≥ 0.7× cp", met=copied / downloaded >= 0.7)

    # Listing 10,000 files: the JSON listing through the panel against ls -l of the folder.
    many = os.path.join(volume, "many")
    os.makedirs(many)
    for index in range(10_000):
        with open(os.path.join(many, f"file-{index:05}.txt"), "w") as file:
            file.write("x" * (index % 100))
    listed = best_of(5, lambda: node.panel.raw("GET", files_path(instance_id, "", "many"), expect=200))
    with open(os.devnull, "w") as null:
        ls = best_of(5, lambda: subprocess.run(["ls", "-l", many], stdout=null, check=True))
    table.ratio("list 10,000 files through the panel", listed * 1000, ls * 1000, "ms", "ls -l", "≥ 0.5× ls (≤ 2× its time)",
                met=ls / listed >= 0.5)

    # Extracting a 10,000-file archive: through the panel against bsdtar -x into the same disk.
    archive = os.path.join(volume, "many.tar.gz")
    subprocess.run(["bsdtar", "-czf", archive, "-C", volume, "many"], check=True)
    shutil.rmtree(many)

    def extract():
        shutil.rmtree(os.path.join(volume, "out"), ignore_errors=True)
        node.panel.request("POST", files_path(instance_id, "/decompress"), {"path": "many.tar.gz", "into": "out"}, expect=200)

    extracted = best_of(3, extract)
    scratch = os.path.join(volume, "bsdtar-out")

    def bsdtar():
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)
        subprocess.run(["bsdtar", "-xf", archive, "-C", scratch], check=True)

    reference = best_of(3, bsdtar)
    shutil.rmtree(scratch, ignore_errors=True)
    table.ratio("extract a 10,000-file .tar.gz through the panel", extracted * 1000, reference * 1000, "ms", "bsdtar -x",
                "≥ 0.7× bsdtar (≤ 1.43× its time)", met=reference / extracted >= 0.7)
    os.remove(source)
