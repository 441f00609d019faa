"""A follower's ``on_batch`` for tests: keeps every FileBatch, waits on conditions with a
deadline (no sleep-and-hope)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from evalmon.events import Event, FileBatch, ServerException, ServerTraffic
from tests import waiting


class Collector:
    def __init__(self) -> None:
        self.batches: list[FileBatch] = []
        self.cond = threading.Condition()

    def __call__(self, batch: FileBatch) -> None:
        with self.cond:
            self.batches.append(batch)
            self.cond.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        def met() -> bool:
            with self.cond:
                return predicate()

        waiting.wait_for(met, timeout, "a condition on the collected batches")

    def events(self) -> list[Event]:
        with self.cond:
            return [loc.event for b in self.batches for loc in b.events]

    def marks(self, path: Path | None = None) -> list[int]:
        """The numbers of the marker lines (see :func:`mark`) delivered, in order."""
        return [n for n, _ in self._marks(path)]

    def mark_lines(self, path: Path) -> list[int]:
        """The line numbers the marker lines were delivered with."""
        return [line for _, line in self._marks(path)]

    def _marks(self, path: Path | None) -> list[tuple[int, int]]:
        with self.cond:
            return [
                (int(loc.event.path.rsplit("/", 1)[1]), loc.line)
                for b in self.batches
                if path is None or b.path == str(path)
                for loc in b.events
                if isinstance(loc.event, ServerException) and loc.event.path.startswith("/mark/")
            ]

    def engine_sizes(self) -> list[int]:
        """Engine call sizes in order (ServerTraffic keeps the last 2000 of each read)."""
        events = self.events()
        return [n for ev in events if isinstance(ev, ServerTraffic) for n in ev.engine_recent]

    def warnings(self) -> dict[str, str]:
        return {b.path: b.warning for b in self.batches if b.warning}


def mark(n: int) -> str:
    """A log line that is parsed into a located event carrying ``n`` (a real Flask error
    line from Megatron's server, see ../shared/notes/megatron-server-facts.md)."""
    return f"[2026-11-24 03:00:02,123] ERROR in app: Exception on /mark/{n} [POST]\n"
