"""Follower benchmark: latency, CPU beside ``tail -F``, and time to first batch on a huge log.

    .venv/bin/python benchmarks/follow.py                 # everything (10 GB file if df allows)
    .venv/bin/python benchmarks/follow.py --big-gb 1      # a smaller big file
    .venv/bin/python benchmarks/follow.py --skip-big --duration 10
    .venv/bin/python benchmarks/follow.py --skip-big --duration 30 --repeat 3   # median ratio
    .venv/bin/python benchmarks/follow.py --skip-big --read-period 0.1          # CPU vs latency

1. Latency, line appended -> FileBatch delivered (p50/p99): one line at a time, inotify on
   and off (stat polling only, as on NFS/Lustre).
2. CPU while 20 files are written at 2,000 lines/s in total by a separate writer process,
   measured for evalmon's follower (its own process) and ``tail -F -n0`` on the same files
   in the same run; the follower also checks it delivered every event, and measures the
   latency of each line under that load (CLOCK_MONOTONIC is shared between processes).
3. Time to first (tail) batch on one big log, the time for the history scan, peak RSS.

Every figure is measured here, in this run, and printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evalmon.events import FileBatch, ServerTraffic  # noqa: E402
from evalmon.parsers.stream import LogParser  # noqa: E402
from evalmon.sources.follow import Follower, FollowOptions  # noqa: E402

EVENT_LINE = "[BATCHING DEBUG] run_mcore_engine called with {n} prompts\n"
FILLER = [
    '127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /api HTTP/1.1" 200 -\n',
    "request IP: 127.0.0.1\n",
    "start time:  2026-11-24 03:00:01.123456\n",
    "Requesting API:  42%|████▏     | 168/400 [01:02<01:26,  2.69it/s]\n",
    "INFO:     127.0.0.1:53412 - \"POST /v1/completions HTTP/1.1\" 200 OK\n",
]


def engine_calls(batch: FileBatch) -> list[int]:
    """The engine call sizes in a batch, in order (a read's ServerTraffic keeps the last
    2,000 calls of the read: far more than a read holds here)."""
    out: list[int] = []
    for loc in batch.events:
        if isinstance(loc.event, ServerTraffic):
            out.extend(loc.event.engine_recent)
    return out


def peak_rss_kb() -> int:
    """This process's peak RSS. VmHWM belongs to the process image (ru_maxrss would carry the
    high-water mark of the parent that forked us across exec)."""
    try:
        with open("/proc/self/status") as fh:
            for row in fh:
                if row.startswith("VmHWM:"):
                    return int(row.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_seconds(pid: int) -> float:
    """CPU time of every thread of ``pid`` so far, from the scheduler's nanosecond counters.

    ``times()`` and psutil report clock ticks (10 ms): over a 15 s run of a process that
    uses half a percent of a core that is +-15%. ``/proc/PID/task/*/schedstat`` is exact.
    """
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        tasks = []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as fh:
                total += int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    if total:
        return total / 1e9
    import psutil  # no schedstat (another kernel config): clock ticks it is

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


# --------------------------------------------------------------------------- 1. latency


def latency_run(
    inotify: bool, n_lines: int, files: int, gap: tuple[float, float] | None = None
) -> list[float]:
    """Latency of ``n_lines`` lines written one at a time; ``gap``: the pause before each
    (default: a random phase of the poll cycle; (0.3, 0.6): after a quiet spell)."""
    folder = Path(tempfile.mkdtemp(prefix="evalmon-bench-lat-"))
    paths = [folder / f"server-{i}.log" for i in range(files)]
    for p in paths:
        p.touch()
    arrived: dict[int, float] = {}
    cond = threading.Condition()

    def on_batch(batch: FileBatch) -> None:
        now = time.monotonic()
        with cond:
            for prompts in engine_calls(batch):
                arrived[prompts] = now
            cond.notify_all()

    opts = json.loads(os.environ.get("EVALMON_BENCH_OPTS", "{}"))
    wake = opts.get("wake", "auto") if inotify else "poll"  # --wake for the woken modes
    options = FollowOptions(**{**opts, "wake": wake})
    follower = Follower([str(folder)], on_batch, options)
    follower.start()
    time.sleep(0.5)  # let it discover the files
    written: dict[int, float] = {}
    rng = random.Random(1)
    try:
        for seq in range(n_lines):
            with open(paths[seq % files], "a") as fh:
                fh.write(EVENT_LINE.format(n=seq))
            written[seq] = time.monotonic()
            with cond:
                cond.wait_for(lambda s=seq: s in arrived, timeout=5)
            # the next write at a random phase of the poll cycle (else polling looks worst-case)
            time.sleep(rng.uniform(*gap) if gap else rng.uniform(0.0, 0.05 if inotify else 0.25))
    finally:
        follower.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return [arrived[s] - written[s] for s in written if s in arrived]


# --------------------------------------------------------------------------- 2. CPU vs tail


def writer_line(seq: int, events_so_far: int) -> str:
    """Line ``seq`` of the CPU run: one in four an engine batch (numbered), the rest filler."""
    if seq % 4 == 0:
        return EVENT_LINE.format(n=events_so_far)
    return FILLER[seq % len(FILLER)]


def parse_only_cpu(lines: int, files: int, reads: int) -> float:
    """CPU seconds LogParser alone needs for the same lines, fed in the follower's read sizes."""
    per_file: list[list[str]] = [[] for _ in range(files)]
    events = 0
    for seq in range(lines):
        text = writer_line(seq, events)
        events += text.startswith("[BATCHING")
        per_file[seq % files].append(text)
    per_read = max(1, round(lines / max(1, reads)))
    chunks = [
        ("".join(file_lines[i:i + per_read]).encode(), k)
        for k, file_lines in enumerate(per_file)
        for i in range(0, len(file_lines), per_read)
    ]
    parsers = [LogParser() for _ in range(files)]  # as the follower's
    c0 = time.process_time()
    for data, k in chunks:
        parsers[k].feed(data)
    return time.process_time() - c0


def writer_main(folder: str, files: int, rate: int, duration: float, times_out: str) -> None:
    """Child: append ``rate`` lines/s over ``files`` files, one write() per line."""
    handles = [
        open(os.path.join(folder, f"server-{i}.log"), "a", buffering=1)  # noqa: SIM115
        for i in range(files)
    ]
    tick = 0.01
    per_tick = max(1, round(rate * tick))
    times: list[float] = []
    seq = 0
    start = time.monotonic()
    next_at = start
    while time.monotonic() - start < duration:
        for _ in range(per_tick):
            fh = handles[seq % files]
            text = writer_line(seq, len(times))
            fh.write(text)
            if text.startswith("[BATCHING"):
                times.append(time.monotonic())
            seq += 1
        next_at += tick
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    for fh in handles:
        fh.close()
    with open(times_out, "w") as out:
        json.dump({"times": times, "lines": seq, "elapsed": time.monotonic() - start}, out)


def follower_main(folder: str, settle: float, out_path: str) -> None:
    """Child: follow ``folder`` until told to stop on stdin, then report arrivals, RSS."""
    arrived: dict[int, float] = {}

    def on_batch(batch: FileBatch) -> None:
        now = time.monotonic()
        for prompts in engine_calls(batch):
            arrived.setdefault(prompts, now)

    opts = json.loads(os.environ.get("EVALMON_BENCH_OPTS", "{}"))  # for experiments
    if os.environ.get("EVALMON_BENCH_NOOP_PARSER"):
        opts["parser_factory"] = NoopParser
    follower = Follower([folder], on_batch, FollowOptions(**opts))
    follower.start()
    # Ready once every file is open: start-up (opening, sniffing, building 20 parsers) is
    # not following, and tail's start-up is left out of its figure too.
    expected = len(list(Path(folder).glob("*.log")))
    deadline = time.monotonic() + 30
    while len(follower.files) < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    print("ready", flush=True)
    # The parent measures our CPU from outside over the writer's run, as it does tail's.
    sys.stdin.readline()  # "stop": the writer is done
    time.sleep(settle)  # let the last lines arrive
    follower.stop()
    with open(out_path, "w") as out:
        json.dump({"arrived": arrived, "maxrss_kb": peak_rss_kb(),
                   "stats": vars(follower.stats)}, out)


class NoopParser:
    """Parses nothing: isolates what following itself costs."""

    def feed(self, data: bytes) -> list:
        return []

    def flush(self) -> list:
        return []

    def finish(self) -> list:
        return []

    def reset(self) -> None:
        return None


def cpu_run(files: int, rate: int, duration: float, noop: bool = False) -> dict[str, float]:

    folder = Path(tempfile.mkdtemp(prefix="evalmon-bench-cpu-"))
    for i in range(files):
        (folder / f"server-{i}.log").touch()
    me = [sys.executable, __file__]
    fol_out, wr_out = folder / "follower.json", folder / "writer.json"
    # the result files are .json outside the followed patterns
    env = {**os.environ, "EVALMON_BENCH_NOOP_PARSER": "1" if noop else ""}
    follower = subprocess.Popen([*me, "--child-follow", str(folder), "--out", str(fol_out)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                env=env)
    assert follower.stdin is not None and follower.stdout is not None
    assert follower.stdout.readline().strip() == "ready"
    tail_cmd = ["tail", "-q", "-F", "-n0", *sorted(map(str, folder.glob("*.log")))]
    tail = subprocess.Popen(tail_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The same tail writing into a pipe, as it does into a terminal or a grep (its own CPU).
    piped = subprocess.Popen(tail_cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    sink = subprocess.Popen(["cat"], stdin=piped.stdout, stdout=subprocess.DEVNULL)
    assert piped.stdout is not None
    piped.stdout.close()  # cat holds the read end
    time.sleep(0.5)
    # Every CPU figure over the same window, the writer's run, read the same way.
    tail_c0, fol_c0 = cpu_seconds(tail.pid), cpu_seconds(follower.pid)
    piped_c0 = cpu_seconds(piped.pid)
    t0 = time.monotonic()
    subprocess.run([*me, "--child-write", str(folder), "--files", str(files),
                    "--rate", str(rate), "--duration", str(duration),
                    "--out", str(wr_out)], check=True)
    t1 = time.monotonic()
    tail_c1, fol_c1 = cpu_seconds(tail.pid), cpu_seconds(follower.pid)
    piped_c1 = cpu_seconds(piped.pid)
    for proc in (tail, piped, sink):
        proc.terminate()
        proc.wait(5)
    follower.stdin.write("stop\n")
    follower.stdin.flush()
    follower.wait(30)
    fol = json.loads(fol_out.read_text())
    wr = json.loads(wr_out.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    tail_cpu = tail_c1 - tail_c0
    written = wr["times"]
    arrived = {int(k): v for k, v in fol["arrived"].items()}
    lat = [arrived[i] - t for i, t in enumerate(written) if i in arrived]
    parse_cpu = parse_only_cpu(wr["lines"], files, fol["stats"]["reads"])
    return {
        "parse_cpu_pct": 100 * parse_cpu / wr["elapsed"],
        "lines": wr["lines"],
        "lines_per_s": wr["lines"] / wr["elapsed"],
        "events_written": len(written),
        "events_delivered": len(arrived),
        "evalmon_cpu_pct": 100 * (fol_c1 - fol_c0) / (t1 - t0),
        "tail_cpu_pct": 100 * tail_cpu / (t1 - t0),
        "piped_tail_cpu_pct": 100 * (piped_c1 - piped_c0) / (t1 - t0),
        "p50_ms": 1000 * pct(lat, 50),
        "p99_ms": 1000 * pct(lat, 99),
        "maxrss_mb": fol["maxrss_kb"] / 1024,
        "wakeups": fol["stats"]["wakeups"],
        "reads": fol["stats"]["reads"],
    }


# --------------------------------------------------------------------------- 3. big file


BIG_QUIET = [
    "DEBUG generate: step {n}, 256 sequences active, 4096 tokens in flight, kv blocks 812/2048 "
    "used, latency 41.7 ms\n",
    "  prompt[{n}]: The quick brown fox jumps over the lazy dog while the model keeps thinking\n",
]


def make_big(path: Path, size: int) -> int:
    """Write ``size`` bytes of server log fast (one 64 MiB block repeated); returns events.

    Like a real 10 GB server log, most bytes are text no parser cares about (debug prints,
    echoed prompts); one line in ten is an engine batch or an access line.
    """
    lines = []
    events = 0
    n = 0
    length = 0
    while length < 64 << 20:
        if n % 20 == 0:
            text = EVENT_LINE.format(n=256)
            events += 1
        elif n % 20 == 10:
            text = FILLER[0]  # a werkzeug access line
        else:
            text = BIG_QUIET[n % 2].format(n=n)
        lines.append(text)
        length += len(text)
        n += 1
    block = "".join(lines).encode()
    block_events = events
    total_events = 0
    with open(path, "wb") as fh:
        written = 0
        while written + len(block) <= size:
            fh.write(block)
            written += len(block)
            total_events += block_events
        fh.write(EVENT_LINE.format(n=999).encode())  # the very last line: the tail's
        total_events += 1
    return total_events


def big_child_main(path: str, out_path: str) -> None:
    t0 = time.monotonic()
    first: list[float] = []
    done = threading.Event()
    count = [0]

    def on_batch(batch: FileBatch) -> None:
        count[0] += len(engine_calls(batch))
        if batch.events and not batch.history and not first:
            first.append(time.monotonic() - t0)
        if batch.line_shift:
            done.set()

    follower = Follower([path], on_batch, FollowOptions())
    follower.start()
    done.wait(3600)
    total = time.monotonic() - t0
    follower.stop()
    with open(out_path, "w") as out:
        json.dump({"first_batch_s": first[0] if first else None, "history_done_s": total,
                   "events": count[0],
                   "maxrss_kb": peak_rss_kb()}, out)


def big_run(gb: float) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="evalmon-bench-big-"))
    path = folder / "server-big.log"
    size = int(gb * (1 << 30))
    t0 = time.monotonic()
    events = make_big(path, size)
    made = time.monotonic() - t0
    # drop it from the page cache when we may, so the read is not a pure memory read
    cold = False
    try:
        os.sync()
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
        cold = True
    except (OSError, AttributeError):
        pass
    out = folder / "big.json"
    subprocess.run([sys.executable, __file__, "--child-big", str(path), "--out", str(out)],
                   check=True)
    res = json.loads(out.read_text())
    real_size = path.stat().st_size
    shutil.rmtree(folder, ignore_errors=True)
    return {"size_gb": real_size / (1 << 30), "write_s": made, "events": events,
            "delivered": res["events"], "first_batch_s": res["first_batch_s"],
            "history_done_s": res["history_done_s"],
            "scan_gb_s": real_size / (1 << 30) / res["history_done_s"],
            "maxrss_mb": res["maxrss_kb"] / 1024, "cold_cache": cold}


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of the CPU run")
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--rate", type=int, default=2000, help="lines/s over all files")
    ap.add_argument("--latency-lines", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=1, help="CPU runs (the median ratio is printed)")
    ap.add_argument("--wake", choices=("auto", "watchdog", "poll"), default="auto",
                    help="how the follower notices changes in the CPU runs (FollowOptions.wake)")
    ap.add_argument("--read-period", type=float, default=None,
                    help="the follower's read_period_s (default: FollowOptions')")
    ap.add_argument("--big-gb", type=float, default=10.0)
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--child-follow")
    ap.add_argument("--child-write")
    ap.add_argument("--child-big")
    ap.add_argument("--out")
    args = ap.parse_args()
    base = json.loads(os.environ.get("EVALMON_BENCH_OPTS", "{}"))
    os.environ["EVALMON_BENCH_OPTS"] = json.dumps({**base, "wake": args.wake})
    if args.read_period is not None:  # children read it from the environment
        opts = json.loads(os.environ.get("EVALMON_BENCH_OPTS", "{}"))
        os.environ["EVALMON_BENCH_OPTS"] = json.dumps({**opts, "read_period_s": args.read_period})
    if args.child_follow:
        follower_main(args.child_follow, 2.0, args.out)
        return 0
    if args.child_write:
        writer_main(args.child_write, args.files, args.rate, args.duration, args.out)
        return 0
    if args.child_big:
        big_child_main(args.child_big, args.out)
        return 0

    print(f"evalmon follower benchmark ({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    print("\n1. follow latency, one line at a time (line appended -> FileBatch delivered)")
    print("   targets: the first line after a quiet spell <= 50 ms; else <= one frame (250 ms) p99")
    print(f"{'mode':<40}{'lines':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    modes = (
        (f"{args.wake}, after a quiet spell", True, (0.3, 0.6), args.latency_lines // 3),
        (f"{args.wake}, lines 0-50 ms apart", True, None, args.latency_lines),
        ("stat poll only (NFS)", False, None, max(10, args.latency_lines // 3)),
    )
    for label, inotify, gap, lines in modes:
        lat = latency_run(inotify, lines, args.files, gap)
        print(f"{label:<40}{len(lat):>7}{1000 * pct(lat, 50):>9.1f}{1000 * pct(lat, 99):>9.1f}"
              f"{1000 * max(lat):>9.1f}")

    print(f"\n2. CPU, {args.files} files written at {args.rate} lines/s in total for "
          f"{args.duration:g} s (separate writer process), {args.repeat} run(s); CPU from the "
          "scheduler's per-thread counters")
    ratios: list[float] = []
    piped_ratios: list[float] = []
    alone: list[float] = []
    for run in range(1, args.repeat + 1):
        r = cpu_run(args.files, args.rate, args.duration)
        n = cpu_run(args.files, args.rate, args.duration, noop=True)
        print(f"  run {run}: written {r['lines']} lines ({r['lines_per_s']:.0f}/s), events "
              f"{r['events_delivered']}/{r['events_written']} delivered")
        print(f"{'':<32}{'CPU % of a core':>16}")
        print(f"{'  tail -F -n0 (same files)':<32}{r['tail_cpu_pct']:>16.2f}")
        print(f"{'  tail -F -n0 | cat (its tail)':<32}{r['piped_tail_cpu_pct']:>16.2f}")
        print(f"{'  evalmon follower':<32}{r['evalmon_cpu_pct']:>16.2f}")
        print(f"{'    LogParser alone, same lines':<32}{r['parse_cpu_pct']:>16.2f}")
        print(f"{'  tail -F -n0 (second run)':<32}{n['tail_cpu_pct']:>16.2f}")
        print(f"{'  evalmon follower, no parser':<32}{n['evalmon_cpu_pct']:>16.2f}")
        ratios.append(r["evalmon_cpu_pct"] / (r["tail_cpu_pct"] or float("nan")))
        piped_ratios.append(r["evalmon_cpu_pct"] / (r["piped_tail_cpu_pct"] or float("nan")))
        alone.append(n["evalmon_cpu_pct"] / (n["tail_cpu_pct"] or float("nan")))
        print(f"  ratio evalmon / tail: {ratios[-1]:.2f}x (target <= 1); "
              f"/ piped tail: {piped_ratios[-1]:.2f}x; "
              f"following alone (no parser) / tail: {alone[-1]:.2f}x")
        print(f"  latency under load: p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms; "
              f"wakeups {r['wakeups']}, reads {r['reads']}; follower peak RSS "
              f"{r['maxrss_mb']:.0f} MB")
    if args.repeat > 1:
        print(f"  median of {args.repeat}: evalmon / tail {statistics.median(ratios):.2f}x "
              f"(runs: {', '.join(f'{x:.2f}' for x in ratios)}); evalmon / piped tail "
              f"{statistics.median(piped_ratios):.2f}x; following alone / tail "
              f"{statistics.median(alone):.2f}x")

    if not args.skip_big:
        gb = args.big_gb
        free_gb = shutil.disk_usage(tempfile.gettempdir()).free / (1 << 30)
        if free_gb < gb * 1.5 + 2:
            scaled = max(0.5, (free_gb - 2) / 1.5)
            print(f"\n(only {free_gb:.0f} GB free: big file scaled down from {gb:g} GB "
                  f"to {scaled:.1f} GB)")
            gb = scaled
        print(f"\n3. tail-first on a {gb:g} GB log (time to first batch, history scan, peak RSS)")
        b = big_run(gb)
        print(f"  file {b['size_gb']:.2f} GB written in {b['write_s']:.1f} s; page cache dropped: "
              f"{b['cold_cache']}")
        print(f"  first (tail) batch after {b['first_batch_s']:.3f} s; history done after "
              f"{b['history_done_s']:.1f} s ({b['scan_gb_s']:.2f} GB/s)")
        print(f"  events {b['delivered']}/{b['events']}; peak RSS {b['maxrss_mb']:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
