"""Wiring: the sources that feed an :class:`EvalState`, and what the app reads from them.

A :class:`Monitor` is the one read and the one parse of a process: one follower, one state,
and every consumer (the dashboard, ``evalmon run``'s supervisor, ``evalmon export``, a
script: ``evalmon.Monitor(paths)``) subscribes to the same batches.

The app only ever calls :meth:`Feed.view_data` (from a background thread) and
:meth:`Feed.select_files` (cheap, no I/O). A :class:`LiveFeed` draws a Monitor (whose
follower's files also keep the log panel's raw lines), with GPU and process sampling; a
:class:`StaticFeed` hands out a fixed snapshot, which is how tests and screenshots get a
deterministic screen.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from evalmon.events import (
    FileBatch,
    GpuSample,
    GpuUnavailable,
    JobState,
    Located,
    RunConfig,
)
from evalmon.parsers.cuttable import CuttableParser
from evalmon.parsers.timestamps import in_time_order
from evalmon.sources.logfile import RawLine
from evalmon.state.model import Snapshot
from evalmon.supervisor.model import Attempt, SupervisorStatus

if TYPE_CHECKING:
    from evalmon.sources.follow import FileProgress
    from evalmon.state import EvalState

CHART_SAMPLES_PER_BURST = 48
#: attempt outcomes of jobs evalmon run stopped itself (their runs show as cancelled)
STOPPED_BY_EVALMON = frozenset({"retuned", "stalled", "cancelled"})


@dataclass(frozen=True, slots=True)
class FeedData:
    """One consistent read of every source, taken off the UI thread."""

    snapshot: Snapshot
    now: float
    tail: tuple[RawLine, ...] = ()
    tail_version: int = 0
    supervisor: SupervisorStatus | None = None
    waiting_for: tuple[str, ...] = ()
    wall: float | None = None  # unix time, for the durations of running attempts
    followed: int = 0  # files followed, for a screen with no run yet (files, but no eval lines)


class Feed(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def select_files(self, paths: Sequence[str]) -> None: ...
    def view_data(self) -> FeedData: ...


class StaticFeed:
    """A fixed snapshot (and optional tail lines): for tests and screenshots."""

    def __init__(
        self,
        snapshot: Snapshot,
        *,
        now: float = 0.0,
        tail: Sequence[RawLine] = (),
        supervisor: SupervisorStatus | None = None,
        waiting_for: Sequence[str] = (),
    ) -> None:
        self._lock = threading.Lock()
        self._data = FeedData(snapshot, now, tuple(tail), 1, supervisor, tuple(waiting_for))
        self.selected: tuple[str, ...] = ()

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def select_files(self, paths: Sequence[str]) -> None:
        self.selected = tuple(paths)

    def view_data(self) -> FeedData:
        with self._lock:
            return self._data

    def set(self, **changes: Any) -> None:
        """Replace parts of what the feed hands out (tests drive the app through this)."""
        with self._lock:
            data = self._data
            fields = {name: getattr(data, name) for name in FeedData.__slots__}
            fields.update(changes)
            if "tail" in changes:
                fields["tail_version"] = data.tail_version + 1
            self._data = FeedData(**fields)


BatchCallback = Callable[[FileBatch], None]


class Monitor:
    """The one read and the one parse of a process: one :class:`Follower`, one :class:`EvalState`.

    Every consumer (the dashboard's :class:`LiveFeed`, the supervisor, a script) gets the same
    batches: :meth:`subscribe` hands each :class:`FileBatch` to a callback, from the follower's
    threads, one call at a time and in the order they were read (post to a queue there: never
    block, never call back into the monitor). :meth:`snapshot` is the state they all see.

        with evalmon.Monitor(["logs/"]) as monitor:
            time.sleep(5)
            print(monitor.snapshot().runs)

    GPU and process sampling are optional (:meth:`sample_gpus`, :meth:`watch_processes`);
    nothing here needs Textual.
    """

    def __init__(
        self,
        paths: Sequence[str],
        *,
        stall_after_s: float = 120.0,
        poll_interval_s: float = 0.25,
        gpu: bool = False,
        gpu_interval_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        reduce: bool = True,
    ) -> None:
        """``reduce=False``: batches only go to the subscribers and the state stays empty
        (a headless supervisor draws no screen; it keeps its own per-attempt figures)."""
        from evalmon.sources.follow import Follower, FollowOptions
        from evalmon.state import EvalState

        self.paths = list(paths)
        self.clock = clock
        self.reduce = reduce
        self.state = EvalState(stall_after_s=stall_after_s)
        self._lock = threading.Lock()  # subscribers, parsers, samplers, start/stop
        self._subscribers: tuple[BatchCallback, ...] = ()
        self._parsers: weakref.WeakSet[CuttableParser] = weakref.WeakSet()
        self.follower = Follower(
            self.paths,
            self._on_batch,
            FollowOptions(
                poll_interval_s=poll_interval_s,
                parser_factory=self._new_parser,
                history_parser=_charting_parser,
            ),
        )
        self.gpu_poller: Any = None
        self.proc_poller: Any = None
        self.metrics: Any = None  # sources.metrics.MetricsScraper, see scrape_metrics()
        self._started = False
        self._stopped = False
        if gpu:
            self.sample_gpus(gpu_interval_s)

    # ------------------------------------------------------------------ consumers

    def subscribe(self, callback: BatchCallback) -> Callable[[], None]:
        """Hand every batch read from now on to ``callback``; returns the unsubscribe call.

        A callback that raises is skipped for that batch (it must not stop the reader).
        """
        with self._lock:
            self._subscribers = (*self._subscribers, callback)

        def unsubscribe() -> None:
            with self._lock:
                subs = list(self._subscribers)
                if callback in subs:
                    subs.remove(callback)
                self._subscribers = tuple(subs)

        return unsubscribe

    def read_now(self, flush: bool = False, *, cut: bool = False) -> dict[str, int]:
        """Read everything present now, from any thread; returns each followed file's offset.

        When this returns, every byte written before the call has been delivered to the
        subscribers (history scans of big files aside: they are older still). ``flush``: files
        that are idle also release the OOM candidates their parser holds for context.

        ``cut``: what is read after this is judged on its own. The OOM classifier takes a
        report that follows an earlier one of the same source closely for a repeat (one
        failure, one event); after a cut no earlier line is context, so the first OOM of a
        relaunched job is a new failure even in a log its last attempt also wrote. A
        supervisor calls ``read_now(flush=True, cut=True)`` right before each launch.
        """
        offsets = self.follower.read_now(flush=flush)
        if cut:
            with self._lock:
                parsers = list(self._parsers)
            for parser in parsers:
                parser.cut()
        return offsets

    def add_paths(self, paths: Sequence[str]) -> None:
        """Follow more paths (e.g. a SLURM job's StdOut outside the log folder)."""
        new = [p for p in paths if p not in self.follower.paths]
        if new:
            # a new list, not an append: the reader thread may be iterating the old one
            self.follower.paths = [*self.follower.paths, *new]
            self.paths = [*self.paths, *new]

    def snapshot(self, now: float | None = None) -> Snapshot:
        return self.state.snapshot(self.clock() if now is None else now)

    @property
    def files(self) -> list[FileProgress]:
        return self.follower.files

    @property
    def errors(self) -> list[str]:
        return self.follower.errors

    # ------------------------------------------------------------------ samplers

    def sample_gpus(self, interval_s: float = 1.0) -> None:
        """Sample the local GPUs (NVML) into the state every ``interval_s``. Idempotent."""
        from evalmon.sources.nvml import GpuPoller

        with self._lock:
            if self.gpu_poller is not None or self._stopped:
                return
            self.gpu_poller = GpuPoller(self._on_gpu, interval_s=interval_s)
            if self._started:
                self.gpu_poller.start()

    def watch_processes(self, root_pids: Callable[[], Sequence[int]]) -> None:
        """Sample the process trees under ``root_pids()`` (asked each time: a relaunched job's
        new pid is picked up) into the state. Idempotent."""
        try:
            from evalmon.sources.procs import ProcPoller
        except ImportError:  # psutil missing: no process panel
            return
        with self._lock:
            if self.proc_poller is not None or self._stopped:
                return
            self.proc_poller = ProcPoller(root_pids, self.state.set_processes)
            if self._started:
                self.proc_poller.start()

    def scrape_metrics(self, urls: Sequence[str] = (), *, discover: bool = True,
                       interval_s: float = 2.0) -> None:
        """Scrape Prometheus ``/metrics`` (vLLM, SGLang, TGI) into the state every
        ``interval_s``: each of ``urls``, and with ``discover`` every server whose log names
        where it listens on this host, once it answers (sources/metrics.py). More URLs may be
        added by later calls."""
        from evalmon.sources.metrics import MetricsScraper

        with self._lock:
            if self._stopped:
                return
            if self.metrics is None:
                self.metrics = MetricsScraper(self._on_metrics, interval_s=interval_s,
                                              discover=discover, clock=self.clock)
                if discover:
                    self._subscribers = (*self._subscribers, self.metrics.observe)
                if self._started:
                    self.metrics.start()
            scraper = self.metrics
        for url in urls:
            scraper.add(url)

    def stop_samplers(self) -> None:
        """Stop GPU and process sampling and metrics scraping (the follower goes on)."""
        with self._lock:
            pollers = [p for p in (self.gpu_poller, self.proc_poller, self.metrics)
                       if p is not None]
            self.gpu_poller = self.proc_poller = self.metrics = None
        for poller in pollers:
            poller.stop()

    # ------------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Start following (and sampling); returns at once. Idempotent."""
        with self._lock:
            if self._started or self._stopped:
                return
            self._started = True
            pollers = [p for p in (self.gpu_poller, self.proc_poller, self.metrics)
                       if p is not None]
        self.follower.start()
        for poller in pollers:
            poller.start()

    def stop(self) -> None:
        """Stop every thread and close every file. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self.follower.stop()
        self.stop_samplers()

    def __enter__(self) -> Monitor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ sources -> state

    def _on_batch(self, batch: FileBatch) -> None:
        if self.reduce:
            self.state.apply_batch(batch, self.clock())
        for callback in self._subscribers:
            with contextlib.suppress(Exception):
                callback(batch)

    def _on_metrics(self, batch: FileBatch) -> None:
        if self.reduce:
            self.state.apply_batch(batch, self.clock())

    def _on_gpu(self, result: list[GpuSample] | GpuUnavailable) -> None:
        samples: list[GpuSample | GpuUnavailable] = (
            [result] if isinstance(result, GpuUnavailable) else list(result)
        )
        self.state.apply_samples(samples, self.clock())

    def _new_parser(self) -> CuttableParser:
        parser = CuttableParser(_charting_parser)
        with self._lock:
            self._parsers.add(parser)
        return parser


class LiveFeed:
    """The dashboard's view of a :class:`Monitor`: the logs under ``paths``, GPUs and the job's
    processes. Given ``monitor`` (``evalmon run`` shares its supervisor's), it reads through
    that one and leaves it running on :meth:`stop`; otherwise it makes and owns its own."""

    def __init__(
        self,
        paths: Sequence[str],
        *,
        stall_after_s: float = 120.0,
        poll_interval_s: float = 0.25,
        gpu: bool = True,
        gpu_interval_s: float = 1.0,
        supervisor: Any = None,
        clock: Callable[[], float] = time.monotonic,
        monitor: Monitor | None = None,
    ) -> None:
        self.paths = list(paths)
        self.supervisor = supervisor
        self.poll_interval_s = poll_interval_s
        self._owns_monitor = monitor is None
        if monitor is None:
            monitor = Monitor(
                self.paths, stall_after_s=stall_after_s, poll_interval_s=poll_interval_s,
                clock=clock,
            )
        self.monitor = monitor
        self.clock = monitor.clock
        self.state = monitor.state
        self.follower = monitor.follower
        self._selected: tuple[str, ...] = ()
        self._seeded: set[tuple[int, str, str]] = set()  # (attempt, event, file) applied
        if gpu:
            monitor.sample_gpus(gpu_interval_s)
        if supervisor is not None:
            monitor.watch_processes(self._root_pids)
        self._stop = threading.Event()

    @property
    def gpu_poller(self) -> Any:
        return self.monitor.gpu_poller

    @property
    def proc_poller(self) -> Any:
        return self.monitor.proc_poller

    def _root_pids(self) -> list[int]:
        """The supervised job's process-group leader, while it runs locally. An attempt that
        ended has none: its pid is a zombie until reaped, then free for another process."""
        if self.supervisor is None:
            return []
        current = self.supervisor.status().current
        if current is None or current.pid is None or current.ended_at is not None:
            return []
        return [current.pid]

    # ------------------------------------------------------------------ Feed

    def start(self) -> None:
        self.monitor.start()

    def stop(self) -> None:
        self._stop.set()
        if self._owns_monitor:
            self.monitor.stop()
        else:  # the monitor goes on (the supervisor reads through it): only our samplers end
            self.monitor.stop_samplers()

    def select_files(self, paths: Sequence[str]) -> None:
        self._selected = tuple(paths)

    def view_data(self) -> FeedData:
        now = self.clock()
        status = None
        if self.supervisor is not None:
            with contextlib.suppress(Exception):
                status = self.supervisor.status()
        if status is not None:
            self._seed_batch_sizes(status)
        snapshot = self.state.snapshot(now)
        return FeedData(
            snapshot=snapshot,
            now=now,
            tail=tuple(in_time_order(self.follower.recent_lines(self._selected))),
            tail_version=self.follower.recent_version(self._selected),
            supervisor=status,
            waiting_for=self._waiting_for(snapshot),
            wall=time.time(),
            followed=0 if snapshot.runs else len(self.follower.files),
        )

    def _seed_batch_sizes(self, status: SupervisorStatus) -> None:
        """What evalmon run knows of each attempt and its log may never say: the batch size it
        gave it (lm-eval prints it only at its end; another program maybe never) and, once
        the attempt ended, how it ended (exit 0 is a finished run whatever its log says)."""
        seeded = self._seeded
        for attempt in status.attempts:
            for key, event in launcher_events(attempt):
                for path in attempt.log_files:  # a SLURM job's files are known once it runs
                    if (attempt.number, key, path) in seeded:
                        continue
                    seeded.add((attempt.number, key, path))
                    self.state.apply_batch(FileBatch(path, (Located(0, event),)), self.clock())

    def _waiting_for(self, snapshot: Snapshot) -> tuple[str, ...]:
        if snapshot.runs:
            return ()
        followed = [f.path for f in self.follower.files]
        waiting = []
        for path in self.paths:
            prefix = os.path.normpath(path)
            if not any(f == prefix or f.startswith(prefix.rstrip(os.sep) + os.sep)
                       for f in followed):
                waiting.append(path)
        return tuple(waiting) or tuple(self.paths)


def launcher_events(attempt: Attempt) -> list[tuple[str, RunConfig | JobState]]:
    """The launcher's word on one attempt, as events for its own log files, each with a key
    (applied once): the batch size evalmon run gave it, and how it ended."""
    events: list[tuple[str, RunConfig | JobState]] = []
    if attempt.batch_size is not None:
        events.append(("batch", RunConfig(batch_size=str(attempt.batch_size),
                                          source="evalmon run")))
    ended = attempt_end(attempt)
    if ended is not None:
        events.append(("end", ended))
    return events


def attempt_end(attempt: Attempt) -> JobState | None:
    """How an ended attempt ended, as its launcher saw it (None while it runs, or when evalmon
    lost it). A job's own log may never say it: a program that is not lm-eval prints no
    results, and an attempt evalmon stopped (a retune, a stall, the user) prints nothing."""
    if attempt.ended_at is None or attempt.outcome in ("running", "adopted", "lost"):
        return None
    job_id = attempt.slurm_job_id or str(attempt.number)
    if attempt.outcome in STOPPED_BY_EVALMON:
        return JobState(job_id=job_id, state="CANCELLED",
                        reason=f"{attempt.outcome} by evalmon run", exit_code=attempt.exit_code)
    if attempt.outcome == "succeeded":
        return JobState(job_id=job_id, state="COMPLETED", reason="exited 0", exit_code=0)
    state = _ENDED_STATES.get(attempt.outcome, "FAILED")
    return JobState(job_id=job_id, state=state, reason=attempt.reason,
                    exit_code=attempt.exit_code, oom_killed=attempt.oom_killed)


#: an attempt's outcome as a launcher's job state (SLURM's names), for the run's status
_ENDED_STATES = {"oom": "OUT_OF_MEMORY", "timeout": "TIMEOUT", "preempted": "PREEMPTED",
                 "node_fail": "NODE_FAIL"}


def _charting_parser() -> Any:
    """A parser that also keeps a sparse sample of each ``\r`` burst's earlier bar updates,
    so a log that is already complete when opened still draws its samples/s curve."""
    from evalmon.parsers.stream import LogParser

    return LogParser(progress_samples=CHART_SAMPLES_PER_BURST)


# --------------------------------------------------------------------------- finished logs


@dataclass(frozen=True, slots=True)
class Replay:
    state: EvalState
    files: tuple[str, ...]
    errors: tuple[str, ...]  # paths that could not be used at all (missing, empty folder)
    warnings: tuple[str, ...]  # files skipped or cut (binary, unreadable, capped lines)
    read: int = 0  # files read through (not skipped)
    recognised: int = 0  # files with at least one line a parser knew


def keep_compiled_scans() -> None:
    """Keep the scanner's compiled databases in the user's cache folder between runs (the CLI,
    and the library's callers), unless a store was set already."""
    from evalmon.parsers.scanner import compiled_store, use_compiled_store
    from evalmon.sources.scan_cache import FileCompiledStore

    if compiled_store() is None:
        use_compiled_store(FileCompiledStore())


def replay(
    paths: Sequence[str],
    *,
    stall_after_s: float = 120.0,
    observe: Callable[[FileBatch], None] | None = None,
    workers: int | None = None,
    cuts: Mapping[str, Sequence[int]] | None = None,
) -> Replay:
    """Scan every log under ``paths`` from start to end; never raises for bad input.

    Each chunk's events go into the state as soon as they are parsed (``scan_file``'s
    ``on_events``), so memory stays at one chunk whatever the logs' size. ``observe`` also
    sees each batch (``evalmon report`` looks for servers that say where they listen).
    ``workers``: processes per big file (``scan_file``'s; None: as many as help).
    ``cuts``: by real path, the byte offsets where an ``evalmon run`` attempt began appending
    to a file (``scan_file``'s): each attempt's lines are judged on their own, as live.
    """
    from evalmon.sources.paths import resolve_paths
    from evalmon.sources.scan import scan_file
    from evalmon.state import EvalState

    keep_compiled_scans()

    files, errors = resolve_paths(list(paths))
    state = EvalState(stall_after_s=stall_after_s)
    warnings: list[str] = []
    read = 0
    recognised: set[str] = set()

    def on_events(events: list[Located], path: str) -> None:
        if events:
            recognised.add(path)
        _apply(state, path, events, observe)

    for path in files:
        result = scan_file(
            path, on_events=lambda events, path=path: on_events(events, path), workers=workers,
            cuts=(cuts or {}).get(os.path.realpath(path), ()),
        )
        if result.warning:
            warnings.append(f"{path}: {result.warning}")
        else:
            read += 1
            state.apply_batch(FileBatch(path=path))  # a log with no events is still a file
        if result.dropped_bytes:
            warnings.append(
                f"{path}: {result.dropped_bytes} bytes of over-long lines were not parsed"
            )
    return Replay(state=state, files=tuple(files), errors=tuple(errors), warnings=tuple(warnings),
                  read=read, recognised=len(recognised))


def _apply(
    state: EvalState,
    path: str,
    events: list[Located],
    observe: Callable[[FileBatch], None] | None = None,
) -> None:
    if events:
        batch = FileBatch(path=path, events=tuple(events))
        state.apply_batch(batch)
        if observe is not None:
            observe(batch)


def scan(paths: Sequence[str]) -> Snapshot:
    """The state of every run in the logs under ``paths``, read once from start to end (what
    ``evalmon report`` shows). The library's one-call face: ``evalmon.scan(["logs/"])``."""
    return replay(paths).state.snapshot()
