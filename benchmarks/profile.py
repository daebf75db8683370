#!/usr/bin/env python3
"""Where one API route spends the panel's CPU: seeds a SQLite panel like the API benchmark, loads the route
with wrk, and samples the panel with `perf record -e cpu-clock` (a software clock: this VM exposes no
hardware counters, and Debian's valgrind 3.19 crashes while reading Swift's lib_FoundationICU.so, so
callgrind cannot run here; see docs/performance.md). Prints the functions with the most samples.

    python3 benchmarks/profile.py --berth .build/release/berth --route getInstance [--seconds 10] [--children]
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import loadgen  # noqa: E402
import run  # noqa: E402
import seed  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--berth", required=True)
    parser.add_argument("--route", choices=["getInstance", "getUserInstance", "instances", "ceiling"], required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--instances", type=int, default=10000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--children", action="store_true", help="inclusive figures (needs call graphs: slower)")
    arguments = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="berth-profile.")
    data = os.path.join(workdir, "panel")
    output = os.path.join(workdir, "perf.data")
    with harness.Cleanup() as cleanup:
        berth = harness.Berth(arguments.berth, workdir, cleanup)
        key = run.prepare_panel(berth, data, None)
        process = berth.start_panel(data)
        panel = harness.panel_client(key)
        node_id, _ = run.create_node(panel, 9, name="bench-reads")
        seed.SQLiteSeeder(os.path.join(data, "berth.sqlite")).seed(arguments.users, arguments.instances, node_id, run.image_id(panel))
        _, instances = panel.request("GET", "/api/instances", expect=200)
        ids = [instance["Id"] for instance in random.Random(6).sample(instances, min(1000, len(instances)))]
        size = len(panel.raw("POST", "/api/getInstance", {"id": ids[0]}, expect=200)[1])
        base = f"http://127.0.0.1:{harness.PANEL_PORT}"
        headers = {"x-api-key": key}
        load = {
            "getInstance": ("POST", "/api/getInstance", [f'{{"id": "{id_}"}}' for id_ in ids]),
            "getUserInstance": ("POST", "/api/getUserInstance", [f'{{"userId": "{seed.user_id(i)}"}}' for i in range(arguments.users)]),
            "instances": ("GET", "/api/instances", None),
            "ceiling": ("GET", f"/bench/ceiling?bytes={size}", None),
        }[arguments.route]
        loadgen.run_wrk(base, load[0], load[1], headers, load[2], seconds=2)
        graph = ["--call-graph", "dwarf,16384"] if arguments.children else []
        perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "499", *graph, "-o", output, "-p", str(process.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        figures = loadgen.run_wrk(base, load[0], load[1], headers, load[2], seconds=arguments.seconds)
        perf.send_signal(2)
        perf.wait()
        print(f"{arguments.route}: {figures['rps']:.0f} requests/s, p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms")
        report = subprocess.run(
            ["perf", "report", "-i", output, "--stdio", "--sort", "symbol", "--percent-limit", "0.5",
             *(["--children"] if arguments.children else ["--no-children"]), "-g", "none"],
            capture_output=True, text=True).stdout
        lines = [line for line in report.splitlines() if line.strip() and not line.startswith("#")]
        for line in lines[:arguments.top]:
            print(line[:200])
        panel.close()
    subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    main()
