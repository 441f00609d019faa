"""A parser whose OOM context can be cut where an ``evalmon run`` attempt began.

The OOM classifier takes a repeat of one source's OOM within its context window as the same
failure; an attempt launched after that OOM is a new failure even in a log the last attempt
also wrote (``attempt-1.err`` appended to by a second session in the same folder). The live
reader cuts at each launch; ``evalmon report`` cuts at the offsets the record kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from evalmon.events import AttemptCut, Located


class CuttableParser:
    """One file's parser whose OOM context can be cut (``Monitor.read_now``, ``scan_file``'s cuts).

    A cut takes effect at the next line start: the parser flushes what it holds and a fresh
    parser goes on from there, so no line before the cut is context for the lines after it
    (nor a carry-over of a bar burst or a results table). Line numbers go on counting.
    A history scan is not cut: its bytes all come before the tail where reading began, so
    before any cut (and the supervisor never counts history).
    """

    __slots__ = ("__weakref__", "_base", "_cut", "_dropped", "_inner", "_line_start", "_lock",
                 "_make")

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._inner = make()
        self._base = 0  # lines read by the parsers before the current one
        self._dropped = 0
        self._lock = threading.Lock()  # the follower's thread feeds, a supervisor cuts
        self._cut = False
        self._line_start = True

    @property
    def lines(self) -> int:
        return self._base + self._inner.lines

    @property
    def dropped_bytes(self) -> int:
        return self._dropped + self._inner.dropped_bytes

    def __getattr__(self, name: str) -> Any:  # other counters of the parser (parse_errors...)
        return getattr(object.__getattribute__(self, "_inner"), name)

    def cut(self) -> None:
        with self._lock:
            self._cut = True

    def feed(self, data: bytes) -> list[Located]:
        with self._lock:
            out: list[Located] = []
            if self._cut and data:
                if self._line_start:
                    start = 0
                else:
                    nl = data.find(b"\n")
                    start = -1 if nl < 0 else nl + 1
                if start >= 0:
                    if start:
                        out = self._shifted(self._inner.feed(data[:start]))
                    out += self._swap()
                    data = data[start:]
                    if not data:
                        return out
            out += self._shifted(self._inner.feed(data))
            if data:
                self._line_start = data[-1] == 10
            return out

    def flush(self) -> list[Located]:
        with self._lock:
            if self._cut and self._line_start:
                return self._swap()
            return self._shifted(self._inner.flush())

    def finish(self) -> list[Located]:
        with self._lock:
            out = self._shifted(self._inner.finish())
            self._line_start = True
            if self._cut:
                out += self._swap()
            return out

    def reset(self) -> None:
        with self._lock:
            self._inner.reset()
            self._base = self._dropped = 0
            self._cut = False
            self._line_start = True

    def _swap(self) -> list[Located]:
        old = self._inner
        out = self._shifted(old.flush())
        self._base += old.lines
        self._dropped += old.dropped_bytes
        self._inner = self._make()
        self._cut = False
        self._line_start = True
        if self._base:  # the state keeps each attempt's OOMs apart (one failure per attempt)
            out.append(Located(self._base + 1, AttemptCut()))
        return out

    def _shifted(self, events: list[Located]) -> list[Located]:
        base = self._base
        if not base or not events:
            return events
        return [Located(e.line + base, e.event) for e in events]
