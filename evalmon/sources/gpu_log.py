"""``evalmon gpu-log DIR``: write this node's NVML samples to ``DIR/gpu-<host>.jsonl``.

Run it on every node of a job (``srun --ntasks-per-node=1 evalmon gpu-log logs/ &``); the
dashboard follows the files like any other log (format: :mod:`evalmon.parsers.gpu_jsonl`).
A node without a usable GPU writes one line saying why (again whenever the reason changes)
and keeps retrying. Ctrl-C or SIGTERM ends it with status 0.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from evalmon.events import GpuSample, GpuUnavailable
from evalmon.parsers.gpu_jsonl import to_json_line
from evalmon.sources.nvml import RETRY_INIT_S, GpuSampler


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="evalmon gpu-log",
        description="Append this node's GPU samples (NVML) as JSON lines to DIR/gpu-<host>.jsonl, "
        "for the dashboard to show GPUs of other nodes.",
    )
    p.add_argument("dir", metavar="DIR", help="folder to write gpu-<host>.jsonl into (must exist)")
    p.add_argument("--interval", type=float, default=1.0, metavar="S",
                   help="seconds between samples (default 1)")
    p.add_argument("--count", type=int, default=None, metavar="N",
                   help="stop after N samples (default: run until interrupted)")
    p.add_argument("--host", default=None, help="host name to record (default: this host's)")
    return p


def safe_host(name: str) -> str:
    """A host name usable in a file name."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name).strip("._") or "localhost"
    return cleaned[:100]


def log_path(directory: str, host: str) -> str:
    return os.path.join(directory, f"gpu-{safe_host(host)}.jsonl")


def run(
    out: TextIO,
    sampler: GpuSampler,
    interval_s: float,
    count: int | None,
    stop: threading.Event,
    notice: Callable[[str], None],
    wall: Callable[[], float] = time.time,
) -> int:
    """Sample every ``interval_s`` until ``stop`` is set or ``count`` samples; returns how many."""
    taken = 0
    last_reason: str | None = None
    next_at = time.monotonic()
    while not stop.is_set() and (count is None or taken < count):
        result = sampler.sample()
        taken += 1
        if isinstance(result, GpuUnavailable):
            if result.reason != last_reason:
                last_reason = result.reason
                out.write(to_json_line(result, timestamp=wall()) + "\n")
                out.flush()
                notice(
                    f"evalmon gpu-log: no GPU data on {result.host}: {result.reason}; "
                    f"retrying every {RETRY_INIT_S:.0f} s"
                )
        else:
            if last_reason is not None:
                notice(f"evalmon gpu-log: GPUs available again on {sampler.host}")
            last_reason = None
            out.write("".join(to_json_line(s) + "\n" for s in _sorted(result)))
            out.flush()
        if count is not None and taken >= count:
            break
        next_at += interval_s
        delay = next_at - time.monotonic()
        if delay < 0:  # fell behind (a slow NVML call): do not try to catch up in a burst
            next_at, delay = time.monotonic(), 0.0
        stop.wait(delay)
    return taken


def _sorted(samples: list[GpuSample]) -> list[GpuSample]:
    return sorted(samples, key=lambda s: s.index)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if not args.interval > 0:
        print("evalmon gpu-log: --interval must be positive", file=sys.stderr)
        return 2
    if args.count is not None and args.count < 1:
        print("evalmon gpu-log: --count must be at least 1", file=sys.stderr)
        return 2
    if not os.path.isdir(args.dir):
        what = "not a folder" if os.path.exists(args.dir) else "no such folder"
        print(f"evalmon gpu-log: {what}: {args.dir}", file=sys.stderr)
        return 2
    host = args.host or socket.gethostname() or "localhost"
    path = log_path(args.dir, host)
    try:
        out = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in finally below
    except OSError as exc:
        print(f"evalmon gpu-log: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2

    stop = threading.Event()
    previous = _install_signal_handlers(stop)
    sampler = GpuSampler(host=host)
    print(f"evalmon gpu-log: writing {path} every {args.interval:g} s", file=sys.stderr)
    try:
        run(out, sampler, args.interval, args.count, stop,
            lambda text: print(text, file=sys.stderr, flush=True))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"evalmon gpu-log: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        sampler.close()
        with contextlib.suppress(OSError):
            out.close()
        _restore_signal_handlers(previous)
    return 0


def _install_signal_handlers(stop: threading.Event) -> dict[int, object]:
    previous: dict[int, object] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous

    def handler(signum: int, frame: object) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_signal_handlers(previous: dict[int, object]) -> None:
    for sig, old in previous.items():
        with contextlib.suppress(ValueError, OSError, TypeError):
            signal.signal(sig, old)  # type: ignore[arg-type]


__all__ = ["build_parser", "log_path", "main", "run", "safe_host"]
