"""psutil process sampling: a job's process tree (the process and all its descendants).

``cpu_percent`` compares CPU times between two calls, so the sampler keeps its
``psutil.Process`` objects from one sample to the next (the first sample of a process
reports 0.0). A process that vanishes, or that we may not inspect, is skipped; nothing
here raises.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

import psutil

from evalmon.events import ProcSample
from evalmon.sources.nvml import Poller

MAX_CMDLINE_CHARS = 1000  # a command line is shown, not stored whole


class ProcSampler:
    """Samples process trees, remembering processes between calls for ``cpu_percent``."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._known: dict[int, psutil.Process] = {}
        self._lock = threading.Lock()
        self._wall = wall

    def _process(self, pid: int) -> psutil.Process | None:
        known = self._known.get(pid)
        if known is not None and known.is_running():  # is_running() also spots pid reuse
            return known
        try:
            proc = psutil.Process(pid)
        except (psutil.Error, ValueError):
            self._known.pop(pid, None)
            return None
        self._known[pid] = proc
        return proc

    def sample(self, root_pids: Iterable[int]) -> list[ProcSample]:
        """The roots and all their descendants, each once, parents before children."""
        with self._lock:
            now = self._wall()
            seen: set[int] = set()
            out: list[ProcSample] = []
            for root_pid in root_pids:
                root = self._process(root_pid)
                if root is None:
                    continue
                try:
                    tree = [root, *root.children(recursive=True)]
                except psutil.Error:
                    tree = [root]
                for proc in tree:
                    if proc.pid in seen:
                        continue
                    seen.add(proc.pid)
                    known = self._known.get(proc.pid)
                    if known is None or known != proc:  # equal: same pid and start time
                        known = self._known[proc.pid] = proc
                    sample = self._sample_one(known, now)
                    if sample is not None:
                        out.append(sample)
            for pid in [p for p in self._known if p not in seen]:
                del self._known[pid]  # bounded: only the processes of the current trees
            return out

    @staticmethod
    def _sample_one(proc: psutil.Process, now: float) -> ProcSample | None:
        try:
            with proc.oneshot():
                name = proc.name()
                ppid = proc.ppid()
                status = proc.status()
                started = proc.create_time()
                rss = proc.memory_info().rss
                cpu = proc.cpu_percent(interval=None)
                try:
                    cmdline = " ".join(proc.cmdline())
                except (psutil.AccessDenied, psutil.ZombieProcess):
                    cmdline = ""
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return None
        except (OSError, ValueError):
            return None
        return ProcSample(
            pid=proc.pid,
            ppid=ppid,
            name=name,
            cmdline=cmdline[:MAX_CMDLINE_CHARS],
            cpu_pct=float(cpu),
            rss_bytes=int(rss),
            status=str(status),
            started_at=float(started),
            timestamp=now,
        )


_default = ProcSampler()


def sample_tree(root_pid: int) -> list[ProcSample]:
    """The process ``root_pid`` and all its descendants; [] if it is gone. Never raises."""
    try:
        return _default.sample([root_pid])
    except Exception:
        return []


class ProcPoller(Poller[list[ProcSample]]):
    """Samples the trees under ``root_pids()`` every ``interval_s`` in the background.

    ``root_pids`` is called each time, so a relaunched job's new pid is picked up.
    """

    def __init__(
        self,
        root_pids: Callable[[], Iterable[int]],
        on_sample: Callable[[list[ProcSample]], None],
        interval_s: float = 1.0,
    ) -> None:
        self.sampler = ProcSampler()
        super().__init__(
            lambda: self.sampler.sample(list(root_pids())),
            on_sample,
            interval_s,
            name="evalmon-procs",
        )


__all__ = ["MAX_CMDLINE_CHARS", "ProcPoller", "ProcSampler", "sample_tree"]
