"""OOM-to-relaunch latency of `evalmon run`, local mode.

From the moment the job writes its CUDA OOM traceback to the moment the next attempt's
process has started (the first thing tests/fake_eval.py does is note the time). The job
exits by itself after the OOM, so ``--grace`` never applies: nothing here waits on it.

    .venv/bin/python benchmarks/relaunch.py [--runs 5] [--poll-interval 0.05]

Each run is one `evalmon run --headless` of fake_eval at 256 -> 128 -> 64 (two relaunches).
With --server-log the OOM is written to a log all attempts share (like a server that outlives
the client): evalmon then waits until that log is quiet for 0.5 s before relaunching.
Prints every latency, then median and max; target: under 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAKE = ROOT / "tests" / "fake_eval.py"
TARGET_S = 1.0


def one_run(work: Path, poll_interval: float | None, server_log: bool) -> list[float]:
    stamps = work / "stamps.txt"
    opts = ["--headless", "--batch-size", "256", "--log-dir", str(work / "logs"), "--grace", "5"]
    if poll_interval is not None:
        opts += ["--poll-interval", str(poll_interval)]
    command = [sys.executable, str(FAKE), "--batch_size", "{batch_size}", "--oom-above", "64",
               "--steps", "2", "--oom-after", "1", "--step-s", "0.01", "--stamp-file", str(stamps)]
    if server_log:  # the OOM is in a log shared across attempts: evalmon lets it settle first
        command += ["--server-log", str(work / "logs" / "server.log")]
    res = subprocess.run(
        [sys.executable, "-m", "evalmon.cli.run", *opts, "--", *command],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    if res.returncode != 0:
        raise SystemExit(f"evalmon run failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    events = [line.split() for line in stamps.read_text().splitlines()]
    latencies = []
    for i, (what, _pid, when) in enumerate(events):
        if what == "oom":
            nxt = next(e for e in events[i + 1 :] if e[0] == "start")
            latencies.append(float(nxt[2]) - float(when))
    return latencies


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--server-log", action="store_true",
                   help="OOM written to a server log shared by all attempts (adds the settle wait)")
    p.add_argument("--poll-interval", type=float, default=None,
                   help="supervisor poll interval (default: evalmon's own)")
    ns = p.parse_args()
    all_latencies: list[float] = []
    with tempfile.TemporaryDirectory(prefix="evalmon-bench-") as tmp:
        for run in range(ns.runs):
            work = Path(tmp) / f"run-{run}"
            os.makedirs(work)
            lat = one_run(work, ns.poll_interval, ns.server_log)
            all_latencies += lat
            print(f"run {run + 1}: " + ", ".join(f"{x * 1000:.0f} ms" for x in lat))
    median = statistics.median(all_latencies)
    worst = max(all_latencies)
    where = "a shared server log" if ns.server_log else "the job's own stderr"
    print(f"OOM (in {where}) to relaunch over {len(all_latencies)} relaunches: "
          f"median {median * 1000:.0f} ms, "
          f"max {worst * 1000:.0f} ms (target < {TARGET_S * 1000:.0f} ms: "
          f"median is {median / TARGET_S:.2f}x, max {worst / TARGET_S:.2f}x of the target)")
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
