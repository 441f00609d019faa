"""Wiring: the sources that feed an :class:`EvalState`, and what the app reads from them.

The app only ever calls :meth:`Feed.view_data` (from a background thread) and
:meth:`Feed.select_files` (cheap, no I/O). A :class:`LiveFeed` starts the follower (whose
files also keep the log panel's raw lines), the GPU poller and the process sampler; a
:class:`StaticFeed` hands out a fixed snapshot, which is how tests and screenshots get a
deterministic screen.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from evalmon.events import FileBatch, GpuSample, GpuUnavailable
from evalmon.sources.logfile import RawLine
from evalmon.state.model import Snapshot
from evalmon.supervisor.model import SupervisorStatus

CHART_SAMPLES_PER_BURST = 48


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


class LiveFeed:
    """Follows the logs under ``paths`` and samples GPUs and the job's processes."""

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
    ) -> None:
        from evalmon.sources.follow import Follower, FollowOptions
        from evalmon.state import EvalState

        self.paths = list(paths)
        self.clock = clock
        self.supervisor = supervisor
        self.poll_interval_s = poll_interval_s
        self.state = EvalState(stall_after_s=stall_after_s)
        self._selected: tuple[str, ...] = ()
        self.follower = Follower(
            self.paths,
            self._on_batch,
            FollowOptions(poll_interval_s=poll_interval_s, parser_factory=_charting_parser),
        )
        self.gpu_poller: Any = None
        if gpu:
            from evalmon.sources.nvml import GpuPoller

            self.gpu_poller = GpuPoller(self._on_gpu, interval_s=gpu_interval_s)
        self._stop = threading.Event()
        self.proc_poller: Any = None
        if supervisor is not None:
            with contextlib.suppress(ImportError):
                from evalmon.sources.procs import ProcPoller

                self.proc_poller = ProcPoller(self._root_pids, self.state.set_processes)

    # ------------------------------------------------------------------ sources -> state

    def _on_batch(self, batch: FileBatch) -> None:
        self.state.apply_batch(batch, self.clock())

    def _on_gpu(self, result: list[GpuSample] | GpuUnavailable) -> None:
        samples: list[GpuSample | GpuUnavailable] = (
            [result] if isinstance(result, GpuUnavailable) else list(result)
        )
        self.state.apply_samples(samples, self.clock())

    def _root_pids(self) -> list[int]:
        """The supervised job's process-group leader, if it runs locally."""
        if self.supervisor is None:
            return []
        current = self.supervisor.status().current
        return [current.pid] if current is not None and current.pid is not None else []

    # ------------------------------------------------------------------ Feed

    def start(self) -> None:
        self.follower.start()
        if self.gpu_poller is not None:
            self.gpu_poller.start()
        if self.proc_poller is not None:
            self.proc_poller.start()

    def stop(self) -> None:
        self._stop.set()
        self.follower.stop()
        for poller in (self.gpu_poller, self.proc_poller):
            if poller is not None:
                poller.stop()

    def select_files(self, paths: Sequence[str]) -> None:
        self._selected = tuple(paths)

    def view_data(self) -> FeedData:
        now = self.clock()
        snapshot = self.state.snapshot(now)
        status = None
        if self.supervisor is not None:
            with contextlib.suppress(Exception):
                status = self.supervisor.status()
        return FeedData(
            snapshot=snapshot,
            now=now,
            tail=tuple(self.follower.recent_lines(self._selected)),
            tail_version=self.follower.recent_version(self._selected),
            supervisor=status,
            waiting_for=self._waiting_for(snapshot),
            wall=time.time(),
        )

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


def _charting_parser() -> Any:
    """A parser that also keeps a sparse sample of each ``\r`` burst's earlier bar updates,
    so a log that is already complete when opened still draws its samples/s curve."""
    from evalmon.parsers.stream import LogParser

    return LogParser(progress_samples=CHART_SAMPLES_PER_BURST, summarise=True)
