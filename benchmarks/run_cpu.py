"""CPU of `evalmon run --headless` as a whole process, beside `tail -F -n0` on the same files.

    .venv/bin/python benchmarks/run_cpu.py                       # 20 s, 20 logs, 2,000 lines/s
    .venv/bin/python benchmarks/run_cpu.py --repeat 5            # the median ratio of 5 runs
    .venv/bin/python benchmarks/run_cpu.py --evalmon-root /tmp/old   # another checkout (before)

The job under watch is a Python script that writes ``--rate`` lines/s in total into
``--files`` logs in evalmon's log folder (``server-N.log``; the line mix of
``benchmarks/follow.py``: engine batch lines, werkzeug access lines, ``request IP:`` /
``start time:``, tqdm updates), one ``write()`` per line. Once every log exists, ``tail -q -F
-n0`` starts on the same files; the CPU time of the evalmon process (every thread, from
``/proc/PID/task/*/schedstat``; psutil's ``cpu_times`` as a cross-check) and of tail is taken
over the same ``--duration`` window. evalmon's figure includes all of its own watching: the
follower, the parse, the state, the supervisor loop. The job's own CPU is not counted.
Prints one line per run and the median ratio; the target is no more than tail (ratio <= 1).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from follow import cpu_seconds  # the same exact per-thread CPU counter (benchmarks/follow.py)

ROOT = Path(__file__).resolve().parents[1]

# the line mix of benchmarks/follow.py: one line in four an engine batch, the rest filler
LINES = """\
EVENT_LINE = "[BATCHING DEBUG] run_mcore_engine called with {{n}} prompts\\n"
FILLER = [
    '127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /api HTTP/1.1" 200 -\\n',
    "request IP: 127.0.0.1\\n",
    "start time:  2026-11-24 03:00:01.123456\\n",
    "Requesting API:  42%|████▏     | 168/400 [01:02<01:26,  2.69it/s]\\n",
    "INFO:     127.0.0.1:53412 - \\"POST /v1/completions HTTP/1.1\\" 200 OK\\n",
]


def writer_line(seq, events_so_far):
    if seq % 4 == 0:
        return EVENT_LINE.format(n=events_so_far)
    return FILLER[seq % len(FILLER)]
"""

JOB = """\
import os, sys, time
""" + LINES + """
folder, files, rate, duration = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
handles = [open(os.path.join(folder, f"server-{{i}}.log"), "a", buffering=1) for i in range(files)]
tick = 0.01
per_tick = max(1, round(rate * tick))
seq = events = 0
start = next_at = time.monotonic()
while time.monotonic() - start < duration:
    for _ in range(per_tick):
        text = writer_line(seq, events)
        events += text.startswith("[BATCHING")
        handles[seq % files].write(text)
        seq += 1
    next_at += tick
    delay = next_at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
print(f"wrote {{seq}} lines in {{time.monotonic() - start:.1f}} s")
"""


def psutil_cpu(pid: int) -> float:
    """The same figure from psutil's clock ticks: a cross-check of the exact counter."""
    try:
        import psutil

        t = psutil.Process(pid).cpu_times()
        return t.user + t.system
    except Exception:
        return float("nan")


def one_run(root: Path, files: int, rate: int, duration: float) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="evalmon-bench-run-"))
    logs = folder / "logs"
    logs.mkdir()
    job = folder / "job.py"
    job.write_text(JOB.format())
    warmup = 2.0
    env = {**os.environ, "PYTHONPATH": str(root)}
    evalmon = subprocess.Popen(
        [sys.executable, "-m", "evalmon.cli.run", "--headless", "--log-dir", str(logs), "--",
         sys.executable, str(job), str(logs), str(files), str(rate), str(duration + warmup + 3)],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        paths = [logs / f"server-{i}.log" for i in range(files)]
        deadline = time.monotonic() + 30
        while not all(p.exists() for p in paths):
            if time.monotonic() > deadline or evalmon.poll() is not None:
                raise SystemExit("the job did not start")
            time.sleep(0.05)
        tail = subprocess.Popen(["tail", "-q", "-F", "-n0", *map(str, paths)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(warmup)  # both have found and opened every file
        e0, t0, p0 = cpu_seconds(evalmon.pid), cpu_seconds(tail.pid), psutil_cpu(evalmon.pid)
        w0 = time.monotonic()
        time.sleep(duration)
        e1, t1, p1 = cpu_seconds(evalmon.pid), cpu_seconds(tail.pid), psutil_cpu(evalmon.pid)
        wall = time.monotonic() - w0
        tail.terminate()
        tail.wait(5)
        out, _ = evalmon.communicate(timeout=60)
        if evalmon.returncode != 0:
            raise SystemExit(f"evalmon run failed ({evalmon.returncode}):\n{out}")
    finally:
        if evalmon.poll() is None:
            evalmon.terminate()
            evalmon.wait(30)
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "evalmon_pct": 100 * (e1 - e0) / wall,
        "evalmon_psutil_pct": 100 * (p1 - p0) / wall,
        "tail_pct": 100 * (t1 - t0) / wall,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=20.0, help="seconds measured per run")
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--rate", type=int, default=2000, help="lines/s over all files")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--evalmon-root", type=Path, default=ROOT,
                    help="the checkout whose evalmon runs (default: this one)")
    ns = ap.parse_args()
    ratios = []
    for run in range(ns.repeat):
        r = one_run(ns.evalmon_root.resolve(), ns.files, ns.rate, ns.duration)
        ratio = r["evalmon_pct"] / r["tail_pct"] if r["tail_pct"] > 0 else float("inf")
        ratios.append(ratio)
        print(f"run {run + 1}: evalmon run --headless {r['evalmon_pct']:.2f}% of a core "
              f"(psutil {r['evalmon_psutil_pct']:.2f}%), tail -F -n0 {r['tail_pct']:.2f}%: "
              f"{ratio:.2f}x tail", flush=True)
    median = statistics.median(ratios)
    print(f"{ns.files} logs, {ns.rate} lines/s, {ns.duration:g} s per run, {ns.repeat} run(s): "
          f"median {median:.2f}x tail (target <= 1.00x)")
    return 0 if median <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
