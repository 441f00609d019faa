"""The sampling loop of ``evalmon gpu-log DIR`` (command line: :mod:`evalmon.cli.gpu_log`):
this node's NVML samples appended to ``DIR/gpu-<host>.jsonl``.

The dashboard follows the files like any other log (format: :mod:`evalmon.parsers.gpu_jsonl`).
A node without a usable GPU writes one line saying why (again whenever the reason changes)
and keeps retrying.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from typing import TextIO

from evalmon.events import GpuSample, GpuUnavailable
from evalmon.parsers.gpu_jsonl import to_json_line
from evalmon.sources.nvml import RETRY_INIT_S, GpuSampler


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
                notice(f"evalmon gpu-log: no GPU data on {result.host}: {result.reason}; "
                       + _retry_note(count, taken, interval_s))
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


def _retry_note(count: int | None, taken: int, interval_s: float) -> str:
    """When the next try at NVML is, said truly: a --count run may end before it."""
    every = f"retrying every {RETRY_INIT_S:.0f} s"
    if count is None:
        return every
    left_s = (count - taken) * interval_s
    stopping = f"stopping in {left_s:.3g} s (--count {count})"
    if left_s < RETRY_INIT_S:
        return f"{stopping}, before the next try (every {RETRY_INIT_S:.0f} s)"
    return f"{every}; {stopping}"


def _sorted(samples: list[GpuSample]) -> list[GpuSample]:
    return sorted(samples, key=lambda s: s.index)


__all__ = ["log_path", "run", "safe_host"]
