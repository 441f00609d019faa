"""Dashboard responsiveness: time to the first useful screen on a folder with a huge server
log, the background history scan, and peak RSS.

    .venv/bin/python benchmarks/responsiveness.py                 # 10 GB server log
    .venv/bin/python benchmarks/responsiveness.py --size-gb 1     # smaller, faster
    .venv/bin/python benchmarks/responsiveness.py --dir /scratch/big --keep

"Useful" means: the run is in the runs table with its samples/s, and the engine batch
histogram has data, i.e. what a user opens the dashboard for. The dashboard runs in a child
process (Textual's headless driver, the real ``LiveFeed``: follower, state, tail reader),
so its start-up, imports and peak RSS are its own. The server log is made of what a
Megatron server at 10 GB is mostly made of: one engine call line, one access line and the
request's JSON body per request. The file sits in the page cache after it is written, so
the scan figure is parser speed, not disk speed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan_dense import PssSampler  # noqa: E402  (a sibling script, not a package)

RUN_ID = "900"


# --------------------------------------------------------------------------- the data


def request_block(requests: int) -> bytes:
    body = json.dumps({"prompts": ["The quick brown fox jumps over the lazy dog. " * 40],
                       "tokens_to_generate": 1, "logprobs": True})
    lines = []
    for i in range(requests):
        lines.append("request IP: 127.0.0.1\n")
        lines.append(body + "\n")
        lines.append(f"[BATCHING DEBUG] run_mcore_engine called with {128 if i % 50 else 96} "
                     "prompts\n")
        lines.append(f'127.0.0.1 - - [24/Nov/2026 03:{i // 60 % 60:02d}:{i % 60:02d}] '
                     '"POST /completions HTTP/1.1" 200 -\n')
    return "".join(lines).encode()


def make_folder(folder: Path, size_bytes: int) -> float:
    """eval-900.out (a live lm-eval client at batch 128) and a huge server-900.log."""
    folder.mkdir(parents=True, exist_ok=True)
    header = (ROOT / "sample_logs" / "server-104.log").read_text().split("[BATCHING DEBUG]")[0]
    eval_text = (ROOT / "sample_logs" / "eval-104.out").read_text()
    # keep the client running: stop before its final summary and results table
    cut = eval_text.find("local-completions (")
    (folder / f"eval-{RUN_ID}.out").write_text(eval_text[:cut] if cut > 0 else eval_text)
    block = request_block(4000)
    t0 = time.perf_counter()
    with open(folder / f"server-{RUN_ID}.log", "wb") as fh:
        fh.write(header.encode())
        written = len(header)
        chunk = block * max(1, (64 << 20) // len(block))
        while written < size_bytes:
            piece = chunk[: size_bytes - written]
            fh.write(piece)
            written += len(piece)
    return time.perf_counter() - t0


# --------------------------------------------------------------------------- the child


def child(folder: str, deadline_s: float) -> None:
    """Run the dashboard headless; report when it first shows a useful screen."""
    started = time.monotonic()
    import asyncio

    from evalmon.pipeline import LiveFeed
    from evalmon.ui.app import EvalmonApp

    feed = LiveFeed([folder], gpu=False, poll_interval_s=0.25)
    app = EvalmonApp(feed, gpu_enabled=False, refresh_interval_s=0.1)
    result: dict[str, float | None] = {"first_screen_s": None, "history_s": None}

    async def watch() -> None:
        async with app.run_test(size=(200, 50)) as pilot:
            saw_scan = False
            end = started + deadline_s
            while time.monotonic() < end:
                await pilot.pause(0.01)
                view = app._view
                run = view.snapshot.run(RUN_ID) if view else None
                useful = (run is not None and run.samples_per_s is not None
                          and run.engine_batches.count > 0)
                if useful and result["first_screen_s"] is None:
                    result["first_screen_s"] = time.monotonic() - started
                    result["rss_at_first_screen_mb"] = rss_mb()
                    result["engine_calls_at_first_screen"] = run.engine_batches.count
                saw_scan = saw_scan or bool(view and view.snapshot.scanning)
                if (result["first_screen_s"] is not None and view
                        and not view.snapshot.scanning and (saw_scan or run.lines)):
                    progress = feed.follower.files
                    if all(p.history_done for p in progress):
                        result["history_s"] = time.monotonic() - started
                        result["engine_calls_total"] = run.engine_batches.count
                        break
            result["frames"] = app.frames

    asyncio.run(watch())
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-gb", type=float, default=10.0)
    parser.add_argument("--dir", help="folder to use (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds per run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.deadline)
        return 0

    size = int(args.size_gb * (1 << 30))
    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="evalmon-resp-"))
    free = shutil.disk_usage(base if base.exists() else base.parent).free
    if free < size * 1.2:
        print(f"not enough disk for {args.size_gb} GB (free {free / (1 << 30):.1f} GB): "
              "use --size-gb", file=sys.stderr)
        return 2
    folder = base / "logs"
    try:
        log = folder / f"server-{RUN_ID}.log"
        if not log.exists() or log.stat().st_size < size:
            write_s = make_folder(folder, size)
            print(f"wrote {size / (1 << 30):.1f} GiB in {write_s:.1f} s", file=sys.stderr)
        t0 = time.monotonic()
        child_process = subprocess.Popen(
            [sys.executable, __file__, "--child", str(folder), "--deadline", str(args.deadline)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        sampler = PssSampler(child_process.pid)  # the dashboard and its history scan workers
        sampler.start()
        stdout, stderr = child_process.communicate()
        wall = time.monotonic() - t0
        sampler.stop()
        if child_process.returncode != 0:
            print(stderr, file=sys.stderr)
            return 1
        result = json.loads(stdout.strip().splitlines()[-1])
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(base, ignore_errors=True)
    gib = size / (1 << 30)
    first = result.get("first_screen_s")
    history = result.get("history_s")
    rows = [
        ("server log", f"{gib:.1f} GiB"),
        ("first useful screen (child start -> run, samples/s, histogram drawn)",
         f"{first:.2f} s" if first is not None else "not reached"),
        ("  engine calls known at that moment", f"{result.get('engine_calls_at_first_screen')}"),
        ("  RSS at that moment", f"{result.get('rss_at_first_screen_mb', 0):.0f} MB"),
        ("history scanned (whole file in state)", f"{history:.1f} s" if history else "not done"),
        ("  scan rate", f"{gib / history:.2f} GiB/s" if history else "-"),
        ("  engine calls in total", f"{result.get('engine_calls_total')}"),
        ("peak RSS of the dashboard process", f"{result['peak_rss_mb']:.0f} MB"),
        ("  with its history scan workers (peak summed PSS)", f"{sampler.peak_mb:.0f} MB"),
        ("screens drawn", f"{result.get('frames')}"),
        ("child wall time", f"{wall:.1f} s"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
