"""A follower's ``on_batch`` for tests: keeps every FileBatch, waits on conditions with a
deadline (no sleep-and-hope)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from evalmon.events import EngineBatch, Event, FileBatch, ServerTraffic


class Collector:
    def __init__(self) -> None:
        self.batches: list[FileBatch] = []
        self.cond = threading.Condition()

    def __call__(self, batch: FileBatch) -> None:
        with self.cond:
            self.batches.append(batch)
            self.cond.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"condition not met; batches: {self.batches[-5:]}")
                self.cond.wait(min(left, 0.05))  # also re-check state changed elsewhere

    def events(self) -> list[Event]:
        with self.cond:
            return [loc.event for b in self.batches for loc in b.events]

    def prompts(self, path: Path | None = None) -> list[int]:
        """Engine call sizes delivered one event per line (EngineBatch)."""
        return [
            loc.event.prompts
            for b in self.batches
            if path is None or b.path == str(path)
            for loc in b.events
            if isinstance(loc.event, EngineBatch)
        ]

    def engine_sizes(self) -> list[int]:
        """Engine call sizes, one by one or summarised (ServerTraffic)."""
        sizes: list[int] = []
        for ev in self.events():
            if isinstance(ev, ServerTraffic):
                sizes.extend(ev.engine_batches)
            elif isinstance(ev, EngineBatch):
                sizes.append(ev.prompts)
        return sizes

    def lines(self, path: Path) -> list[int]:
        return [
            loc.line
            for b in self.batches
            if b.path == str(path)
            for loc in b.events
            if isinstance(loc.event, EngineBatch)
        ]

    def warnings(self) -> dict[str, str]:
        return {b.path: b.warning for b in self.batches if b.warning}
