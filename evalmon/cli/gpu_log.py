"""``evalmon gpu-log DIR``: write this node's NVML samples to ``DIR/gpu-<host>.jsonl``.

Run it on every node of a job (``srun --ntasks-per-node=1 evalmon gpu-log logs/ &``); the
dashboard follows the files like any other log (format: :mod:`evalmon.parsers.gpu_jsonl`).
A node without a usable GPU writes one line saying why (again whenever the reason changes)
and keeps retrying. Ctrl-C or SIGTERM ends it with status 0. The sampling loop is
:func:`evalmon.sources.gpu_log.run`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Sequence

from evalmon.sources.gpu_log import log_path, run
from evalmon.sources.nvml import GpuSampler


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
        taken = run(out, sampler, args.interval, args.count, stop,
                    lambda text: print(text, file=sys.stderr, flush=True))
        if taken == args.count:  # say why it ended: a --count run stops on its own
            print(f"evalmon gpu-log: stopped after {taken} sample{'s' if taken != 1 else ''} "
                  f"(--count {args.count})", file=sys.stderr)
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


__all__ = ["build_parser", "main"]
