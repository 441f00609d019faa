"""The supervisor's view of the run's logs: the shared Follower, driven synchronously.

The supervisor calls :meth:`RunLogs.poll` from its own loop (no follower threads), so it
knows exactly which bytes were read before and after a given moment: everything present
when an attempt is launched belongs to earlier attempts. One ``poll_once`` pass also flushes
files that stayed idle, which releases OOM candidates the parser holds for context.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evalmon.events import FileBatch, Located
from evalmon.sources.follow import Follower, FollowOptions


@dataclass(frozen=True, slots=True)
class LogEvent:
    path: str
    located: Located
    history: bool  # from a tail-first history scan: older than anything delivered before


class RunLogs:
    def __init__(self, paths: Sequence[str], extra_patterns: Sequence[str] = ()) -> None:
        self._pending: list[FileBatch] = []
        options = FollowOptions(wake="poll")
        if extra_patterns:
            options = FollowOptions(
                wake="poll", patterns=(*options.patterns, *extra_patterns)
            )
        self._follower = Follower(list(paths), self._pending.append, options)
        self.warnings: list[str] = []

    def add_paths(self, paths: Sequence[str]) -> None:
        """Follow more paths (e.g. a SLURM job's StdOut outside the log dir)."""
        for path in paths:
            if path not in self._follower.paths:
                self._follower.paths.append(path)

    def poll(self, flush: bool = False) -> list[LogEvent]:
        """Everything new. ``flush``: a second pass, so files that are now idle release the
        OOM candidates their parser holds for context (a dead job's last lines)."""
        self._follower.poll_once()
        if flush:
            self._follower.poll_once()
        batches, self._pending[:] = list(self._pending), []
        out: list[LogEvent] = []
        for batch in batches:
            if batch.warning and batch.warning not in self.warnings:
                self.warnings.append(batch.warning)
            out.extend(LogEvent(batch.path, loc, batch.history) for loc in batch.events)
        return out

    def close(self) -> None:
        self._follower.stop()
