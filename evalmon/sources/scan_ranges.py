"""A big finished log scanned in byte ranges by worker processes, merged in file order.

The parser's work per byte is in C (``re``, ``bytes`` and Hyperscan loops), but it holds
the GIL, so a catch-up scan of a gigabyte log is bound to one core. Cut at line boundaries,
the ranges are independent except for three things, each kept exact:

* an OOM candidate reads up to ``CONTEXT_BEFORE`` lines before it: a range starts only where
  the window before it holds all of those lines whole, and its parser is primed with them;
* it reads up to ``CONTEXT_AFTER`` lines after it (``CONTEXT_AFTER_MAX`` in a double-spaced
  paste): a worker whose range ends with a candidate still waiting reads on past its end
  (keeping no event from there) until it is judged;
* lm-eval's results table names a task on its first row only: rows are carried across
  ranges here, in order.

Line numbers are counted per range and offset here.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from evalmon.events import Located, ResultRow
from evalmon.parsers import oom
from evalmon.parsers.lm_eval import carry_table_task
from evalmon.parsers.scanner import CompiledStore, compiled_store, use_compiled_store
from evalmon.parsers.stream import LogParser

RANGE_BYTES = 16 << 20  # a worker's task: small enough to pipeline and show progress
MIN_PARALLEL_BYTES = 2 * RANGE_BYTES
READ_BYTES = 8 << 20  # a worker's read: its memory is a few of these
_PRIME_WINDOW = 256 << 10  # holds CONTEXT_BEFORE whole lines of any ordinary log
_BOUNDARY_SEARCH = 8 << 20  # how far past a target to look for a start that qualifies
_OVERRUN_BYTES = 1 << 20


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def workers_for(size: int) -> int:
    """Processes for scanning ``size`` bytes: one per usable CPU (at most 8) if that many
    bytes are worth starting them for, else 1."""
    if size < MIN_PARALLEL_BYTES:
        return 1
    return min(usable_cpus(), 8)


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


@dataclass(frozen=True)
class Range:
    """What a worker is asked: parse ``[start, end)`` of ``path`` (``start`` a line start).

    ``end`` None: to the end of the file, whatever it has grown to. ``last``: nothing after
    ``end`` belongs to this scan (its lines are not read as context); the parser finishes.
    ``parser``: makes the parser (a module-level callable: it is sent to the worker).
    """

    path: str
    start: int
    end: int | None
    last: bool
    parser: Callable[[], LogParser] = LogParser


@dataclass
class RangeScan:
    """One range's findings, in file order; the merge makes ``events``' lines absolute."""

    events: list[Located]
    lines: int
    dropped_bytes: int
    end: int  # the byte the range ended at
    error: str = ""
    short: bool = False  # the file ended before ``end``: truncated under the scan
    # the process that scanned it (the caller's own when its pool could not start)
    pid: int = field(default_factory=os.getpid)


def scan_range(job: Range) -> RangeScan:
    """Parse one range, as a whole-file parser would have parsed those lines."""
    try:
        with open(job.path, "rb", buffering=0) as handle:
            return _scan_range(job, handle.fileno())
    except OSError as exc:
        return RangeScan([], 0, 0, job.start, f"read error: {exc.strerror or exc}")


def _scan_range(job: Range, fd: int) -> RangeScan:
    parser = job.parser()
    start, end = job.start, job.end
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
    short = end is not None and pos < end
    if job.last or short:
        events += parser.finish()
        return RangeScan(events, parser.lines, parser.dropped_bytes, pos, short=short)
    lines, dropped = parser.lines, parser.dropped_bytes
    # Candidates near the end read the lines after it, as one whole-file parser would.
    while any(line <= lines for line in parser.waiting_lines()):
        chunk = os.pread(fd, _OVERRUN_BYTES, pos)
        pos += len(chunk)
        more = parser.feed(chunk) if chunk else parser.finish()
        events += [e for e in more if e.line <= lines]
        if not chunk:
            break
    return RangeScan(events, lines, dropped, end or pos)


def _quiet_worker(store: CompiledStore | None = None) -> None:
    # Ctrl-C is the parent's to handle: a worker must not print a traceback for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # a fork server's worker starts from a fresh import: the parent's compiled scans too
    use_compiled_store(store)


def scan_in_ranges(
    path: str,
    fd: int,
    end: int,
    workers: int,
    *,
    range_bytes: int = RANGE_BYTES,
    to_eof: bool = True,
    parser: Callable[[], LogParser] = LogParser,
) -> Iterator[RangeScan]:
    """``[0, end)`` of ``path`` scanned by ``workers`` processes (1: here), range by range
    in file order, lines counted from the file's start. ``to_eof``: the last range goes on
    to the file's end, whatever it has grown to. Stops after a range with an error or cut
    short; closing the iterator stops the workers."""
    starts = range_starts(fd, end, range_bytes)
    ends: list[int | None] = [*starts[1:], None if to_eof else end]
    jobs = [
        Range(path, s, e, last=n == len(starts) - 1, parser=parser)
        for n, (s, e) in enumerate(zip(starts, ends, strict=True))
    ]
    line_base = 0
    last_task = ""
    with _pool(min(workers, len(jobs))) as submit:
        for scan in _in_order(jobs, submit, workers + 1):
            out = []
            for loc in scan.events:
                ev = loc.event
                if type(ev) is ResultRow:
                    ev, last_task = carry_table_task(ev, last_task)
                out.append(Located(loc.line + line_base, ev))
            scan.events = out
            line_base += scan.lines
            yield scan
            if scan.error or scan.short:
                return


@contextlib.contextmanager
def _pool(n: int) -> Iterator[Callable[[Range], Future[RangeScan]]]:
    """Submits a range to a worker; with ``n`` 1, scans it here (the same ranges, merged
    the same way: what the tests compare with one whole-file parser).

    Workers are forked from this process when it has one thread (cheap: its imports are
    there already); else from a fork server, a fresh process of one thread: forking a
    process whose other threads may hold a lock can copy the lock held, for good."""
    if n <= 1:

        def here(job: Range) -> Future[RangeScan]:
            done: Future[RangeScan] = Future()
            done.set_result(scan_range(job))
            return done

        yield here
        return
    method = "fork" if threading.active_count() == 1 else "forkserver"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        _start_fork_server()
    pool = ProcessPoolExecutor(
        max_workers=n,
        mp_context=context,
        initializer=_quiet_worker,
        initargs=(compiled_store(),),
    )
    try:
        yield lambda job: pool.submit(scan_range, job)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start_fork_server() -> None:
    """Start the fork server (and multiprocessing's resource tracker) now.

    The tracker hands its child ``sys.stderr.fileno()``; under Textual, ``sys.stderr`` is a
    capture whose ``fileno()`` is -1, which makes the start fail ("bad value(s) in
    fds_to_keep"). For that moment /dev/null stands in: the terminal is the dashboard's,
    and the tracker's warnings are multiprocessing's own business.
    """
    from multiprocessing import forkserver

    # Preload the parsers in the server (each worker forked from it has them imported), and
    # not the caller's ``__main__``, which the default would run there again.
    forkserver.set_forkserver_preload([__name__])
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        forkserver.ensure_running()
        return
    captured = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            forkserver.ensure_running()
        finally:
            sys.stderr = captured


def _in_order(
    jobs: list[Range], submit: Callable[[Range], Future[RangeScan]], ahead: int
) -> Iterator[RangeScan]:
    """Each range's scan in order, at most ``ahead`` in flight (memory stays bounded). A
    pool that cannot start or breaks (a worker killed) loses nothing: the rest is scanned
    here."""
    pending: deque[tuple[Range, Future[RangeScan] | None]] = deque()
    todo = iter(jobs)
    broken = False
    while True:
        while len(pending) < ahead:
            job = next(todo, None)
            if job is None:
                break
            future = None
            if not broken:
                try:
                    future = submit(job)
                except Exception:  # the pool cannot start or is broken: scan here instead
                    broken = True
            pending.append((job, future))
        if not pending:
            return
        job, future = pending.popleft()
        if future is None:
            yield scan_range(job)
            continue
        try:
            done = future.result()
        except Exception:  # a worker killed (BrokenProcessPool) or the result unsendable
            broken = True
            done = scan_range(job)
        yield done
