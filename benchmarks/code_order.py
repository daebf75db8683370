#!/usr/bin/env python3
"""Writes the linker's code order for `berth` and `berth-node`: the functions a panel and a node run while they
start and then idle, so the release link places them side by side (`Package.swift`, `CodeOrder/`).

Why: the kernel maps an executable's code in by the 64 KiB around each page a process touches, so a process that
runs a little code from all over a 33 MiB `.text` keeps most of it resident. Gathered, the same functions fill a
few MiB. The list is exact, not sampled: both processes run under valgrind's callgrind (no timers in what it
measures, only which functions ran), the panel on SQLite with a node that heartbeats to it, for `--seconds` after
the node came online, as the memory rows of `benchmarks/run.py` measure them. Functions that later code renames
are skipped by the linker, and new ones are placed as before: a stale list costs memory, never correctness.

    python3 benchmarks/code_order.py --berth .build/release/berth [--node .build/release/berth-node]

Needs valgrind (Debian's `valgrind`), a Docker engine (`scripts/bench` starts one) and a release build; takes a few
minutes.
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import run  # noqa: E402
from harness import say  # noqa: E402

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORDER_FOLDER = os.path.join(REPOSITORY, "CodeOrder")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--berth", required=True, help="the release berth binary")
    parser.add_argument("--node", help="the release berth-node binary (default: beside --berth)")
    parser.add_argument("--seconds", type=float, default=70, help="how long both idle once the node is online")
    arguments = parser.parse_args()
    berth_release = os.path.abspath(arguments.berth)
    node_release = os.path.abspath(arguments.node or os.path.join(os.path.dirname(berth_release), "berth-node"))

    with tempfile.TemporaryDirectory(prefix="berth-code-order-") as workdir, harness.Cleanup() as cleanup:
        berth_binary = without_debug_information(berth_release, workdir)
        node_binary = without_debug_information(node_release, workdir)
        panel_profile = os.path.join(workdir, "panel.callgrind")
        node_profile = os.path.join(workdir, "node.callgrind")
        panel_berth = harness.Berth(berth_binary, workdir, cleanup, wrapper=callgrind(panel_profile))
        node_berth = harness.Berth(berth_binary, workdir, cleanup, wrapper=callgrind(node_profile))

        say("starting a panel and a node under callgrind")
        panel_data, node_data = os.path.join(workdir, "panel"), os.path.join(workdir, "node")
        key = run.prepare_panel(panel_berth, panel_data, None)
        panel_process = panel_berth.start_panel(panel_data)
        panel = harness.panel_client(key)
        node_id, token = run.create_node(panel, harness.DAEMON_PORT)
        node_berth.run("daemon", "configure", "--panel", f"http://127.0.0.1:{harness.PANEL_PORT}", "--token-file",
                       "-", "--data", node_data, "--host", "127.0.0.1", "--port", str(harness.DAEMON_PORT),
                       "--publish-address", "127.0.0.1", input=token)
        node_process = node_berth.start("daemon", ["run", "--data", node_data, "--sftp-port", str(harness.SFTP_PORT)],
                                        harness.DAEMON_PORT, binary=node_binary)
        # Under callgrind every step is tens of times slower than usual.
        harness.wait_until_online(panel, [node_id], seconds=600, interval=1)
        say(f"the node is online; both idle for {arguments.seconds:.0f} s")
        time.sleep(arguments.seconds)
        # callgrind writes its profile as the process exits
        harness.stop_process(node_process)
        harness.stop_process(panel_process)

        write_order(panel_profile, berth_binary, os.path.join(ORDER_FOLDER, "berth.txt"))
        write_order(node_profile, node_binary, os.path.join(ORDER_FOLDER, "berth-node.txt"))


def without_debug_information(binary, workdir):
    """A copy of `binary` with its symbols but not its DWARF, which Debian's valgrind 3.19 cannot read."""
    copy = os.path.join(workdir, os.path.basename(binary))
    subprocess.run(["objcopy", "--strip-debug", binary, copy], check=True)
    return copy


def callgrind(profile):
    # Mangled names, as the linker knows them; no per-instruction data, only which functions ran.
    return ["valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}", "--dump-instr=no",
            "--compress-strings=no", "--demangle=no"]


def write_order(profile, binary, destination):
    """The functions of `binary` that ran, by the names its symbol table gives them, sorted so that a new
    list's diff shows what changed."""
    ran = functions_that_ran(profile, os.path.basename(binary))
    defined = defined_functions(binary)
    names = sorted(ran & defined.keys())
    with open(destination, "w") as file:
        file.write("".join(f"{name}\n" for name in names))
    size = sum(defined[name] for name in names)
    say(f"{destination}: {len(names)} functions, {size / 2**20:.1f} MiB of code")


def functions_that_ran(profile, binary_name):
    ran = set()
    current_object = ""
    for path in glob.glob(profile + "*"):
        with open(path, errors="replace") as file:
            for line in file:
                if line.startswith("ob="):
                    current_object = line[3:].strip()
                elif line.startswith("fn=") and os.path.basename(current_object) == binary_name:
                    # callgrind marks recursion depths and repeated names with a 'N suffix
                    ran.add(re.sub(r"'\d+$", "", line[3:].strip()))
    if not ran:
        raise RuntimeError(f"{profile}: no function of {binary_name} ran")
    return ran


def defined_functions(binary):
    """Code symbols of `binary` and their sizes."""
    listing = subprocess.run(["nm", "--defined-only", "--print-size", binary], capture_output=True, text=True,
                             check=True).stdout
    sizes = {}
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[2] in "tTwW":
            sizes[fields[3]] = int(fields[1], 16)
    return sizes


if __name__ == "__main__":
    main()
