"""A big finished log scanned in byte ranges by worker processes, merged in file order.

The parser's work per byte is in C (``re``, ``bytes`` and Hyperscan loops), but it holds
the GIL, so a catch-up scan of a gigabyte log is bound to one core. Cut at line boundaries,
the ranges are independent except for three things, each kept exact:

* an OOM candidate reads up to ``CONTEXT_BEFORE`` lines before it: a range starts only where
  the window before it holds all of those lines whole, and its parser is primed with them;
* it reads up to ``CONTEXT_AFTER`` lines after it: a worker whose range ends with a candidate
  still waiting reads on past its end (keeping no event from there) until it is judged;
* lm-eval's results table names a task on its first row only: rows are carried across
  ranges here, in order.

Line numbers are counted per range and offset here. Workers are forked: only from a
process with one thread (forking a threaded process can copy a held lock), which
``scan_file`` checks.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from evalmon.events import Located, ResultRow
from evalmon.parsers import oom
from evalmon.parsers.lm_eval import carry_table_task
from evalmon.parsers.stream import LogParser

RANGE_BYTES = 32 << 20  # a worker's task: small enough to pipeline, big enough to amortise
MIN_PARALLEL_BYTES = 2 * RANGE_BYTES
READ_BYTES = 8 << 20  # a worker's read: its memory is a few of these
_PRIME_WINDOW = 256 << 10  # holds CONTEXT_BEFORE whole lines of any ordinary log
_BOUNDARY_SEARCH = 8 << 20  # how far past a target to look for a start that qualifies
_OVERRUN_BYTES = 1 << 20


@dataclass
class RangeScan:
    """One range's findings; ``events`` carry lines counted from the range's start."""

    events: list[Located]
    lines: int
    dropped_bytes: int
    error: str = ""


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def range_starts(fd: int, size: int, range_bytes: int = RANGE_BYTES) -> list[int]:
    """Byte offsets where ranges start (0 first), about ``range_bytes`` apart. Each is just
    after a ``\n`` and has ``CONTEXT_BEFORE`` whole lines in the window before it (or the
    file's start). A target with no such start within reach is skipped: its range joins
    the one before."""
    need = oom.CONTEXT_BEFORE + 1  # newlines: the lines' own and the one before the first
    starts = [0]
    target = range_bytes
    while target < size - range_bytes // 4:
        found = _start_near(fd, size, target, need)
        if found > starts[-1]:
            starts.append(found)
            target = found + range_bytes
        else:
            target += range_bytes
    return starts


def _start_near(fd: int, size: int, target: int, need: int) -> int:
    """The first line start at or after ``target`` that qualifies, or -1."""
    lo = max(0, target - _PRIME_WINDOW)
    block = os.pread(fd, target - lo + _BOUNDARY_SEARCH, lo)
    pos = target - lo - 1  # a target just after a newline is a start itself
    while pos < len(block):
        nl = block.find(b"\n", pos)
        if nl < 0 or lo + nl + 1 >= size:
            return -1
        start = nl + 1
        window_lo = start - _PRIME_WINDOW
        if lo + window_lo <= 0 or (
            window_lo >= 0 and block.count(b"\n", window_lo, start) >= need
        ):
            return lo + start
        pos = start + (64 << 10)  # long lines here: try further on
    return -1


def scan_range(path: str, start: int, end: int | None) -> RangeScan:
    """Parse ``[start, end)`` of ``path`` as the lines they are (``start`` a line start);
    ``end`` None: to the end of the file, whatever it has grown to."""
    try:
        with open(path, "rb", buffering=0) as handle:
            fd = handle.fileno()
            parser = LogParser()
            if start:
                window = min(start, _PRIME_WINDOW)
                parser.prime(os.pread(fd, window, start - window))
            events: list[Located] = []
            pos = start
            while end is None or pos < end:
                chunk = os.pread(fd, READ_BYTES if end is None else min(READ_BYTES, end - pos), pos)
                if not chunk:
                    break
                pos += len(chunk)
                events += parser.feed(chunk)
            if end is None:  # the file's end: its unterminated last line too
                events += parser.finish()
                return RangeScan(events, parser.lines, parser.dropped_bytes)
            lines, dropped = parser.lines, parser.dropped_bytes
            # Candidates near the end read the lines after it, as one whole-file parser would.
            while any(line <= lines for line in parser.waiting_lines()):
                chunk = os.pread(fd, _OVERRUN_BYTES, pos)
                pos += len(chunk)
                more = parser.feed(chunk) if chunk else parser.finish()
                events += [e for e in more if e.line <= lines]
                if not chunk:
                    break
            return RangeScan(events, lines, dropped)
    except OSError as exc:
        return RangeScan([], 0, 0, f"read error: {exc.strerror or exc}")


def _quiet_worker() -> None:
    # Ctrl-C is the parent's to handle: a worker must not print a traceback for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def scan_in_ranges(
    path: str,
    fd: int,
    size: int,
    workers: int,
    on_events: Callable[[list[Located]], None],
    range_bytes: int = RANGE_BYTES,
) -> tuple[int, int, str]:
    """Every event of ``path`` through ``on_events``, in file order, from ``workers``
    processes. Returns ``(lines, dropped_bytes, warning)``."""
    starts = range_starts(fd, size, range_bytes)
    bounds: list[tuple[int, int | None]] = list(zip(starts, [*starts[1:], None], strict=True))
    line_base = dropped = 0
    last_task = ""
    with _pool(min(workers, len(bounds))) as submit:
        for scan in _in_order(bounds, path, submit, workers + 1):
            if scan.error:
                return line_base, dropped, scan.error
            out = []
            for loc in scan.events:
                ev = loc.event
                if type(ev) is ResultRow:
                    ev, last_task = carry_table_task(ev, last_task)
                out.append(Located(loc.line + line_base, ev))
            on_events(out)
            line_base += scan.lines
            dropped += scan.dropped_bytes
    return line_base, dropped, ""


@contextlib.contextmanager
def _pool(n: int) -> Iterator[Callable[..., Future[RangeScan]]]:
    """Submits a range to a worker; with ``n`` 1, scans it here (the same ranges, merged
    the same way: what the tests compare with one whole-file parser)."""
    if n <= 1:

        def here(*args: object) -> Future[RangeScan]:
            done: Future[RangeScan] = Future()
            done.set_result(scan_range(*args))  # type: ignore[arg-type]
            return done

        yield here
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=_quiet_worker) as pool:
        yield lambda *args: pool.submit(scan_range, *args)


def _in_order(
    bounds: list[tuple[int, int | None]],
    path: str,
    submit: Callable[..., Future[RangeScan]],
    ahead: int,
) -> Iterator[RangeScan]:
    """Each range's scan in order, at most ``ahead`` in flight (memory stays bounded). A
    broken pool (a worker killed) does not lose the file: the rest is scanned here."""
    pending: deque[tuple[tuple[int, int | None], Future[RangeScan] | None]] = deque()
    todo = iter(bounds)
    broken = False
    while True:
        while not broken and len(pending) < ahead:
            bound = next(todo, None)
            if bound is None:
                break
            try:
                pending.append((bound, submit(path, *bound)))
            except (BrokenProcessPool, RuntimeError):
                broken = True
                pending.append((bound, None))
        if not pending:
            if broken and (bound := next(todo, None)) is not None:
                pending.append((bound, None))
                continue
            return
        bound, future = pending.popleft()
        try:
            yield future.result() if future is not None else scan_range(path, *bound)
        except BrokenProcessPool:
            broken = True
            yield scan_range(path, *bound)
