"""Tail-first reading: a big file's recent state at once, its history in the background.

A 10 GB log opened in the dashboard must show its current state in a second. So the
follower parses only its last ``tail_first_bytes`` (from a line boundary) at once, with
line numbers counted from there, and a :class:`History` scan reads ``[0, tail start)``
in the background. The scan delivers its events as ``history=True`` batches (older than
anything delivered before for that file) and ends with one ``line_shift`` batch: the
number of lines before the tail, which every relative line number delivered so far for
the file must grow by (see :class:`~evalmon.events.FileBatch`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass

from evalmon.events import FileBatch, Located

BOUNDARY_SEARCH_BYTES = 4 << 20  # how far tail-first looks for a line start


@dataclass
class History:
    """The background scan of ``[0, end)`` of a file that was read tail first."""

    fd: int  # a descriptor of its own: the live side may close or reopen the file's
    end: int
    scanned: int = 0
    newlines: int = 0
    cancelled: bool = False  # the file was truncated or replaced: these bytes are gone

    @property
    def done(self) -> bool:
        return self.scanned >= self.end


def line_start_after(fd: int, pos: int, size: int) -> int | None:
    """The offset just after the first newline at or after ``pos - 1`` (a line start)."""
    start = max(0, pos - 1)
    searched = 0
    while start < size and searched < BOUNDARY_SEARCH_BYTES:
        block = os.pread(fd, 64 << 10, start)
        if not block:
            return None
        nl = block.find(b"\n")
        if nl >= 0:
            return start + nl + 1
        start += len(block)
        searched += len(block)
    return None


def scan(
    history: History,
    path: Callable[[], str],
    parser: object,
    chunk: int,
    deliver: Callable[[FileBatch], None],
    warning: Callable[[object], str],
    should_stop: Callable[[], bool],
    finish: Callable[[History, list[Located]], None],
) -> None:
    """Read ``history`` to its end through ``parser``, delivering a batch per chunk.

    ``path`` gives the file's current name (a followed file may be renamed meanwhile).
    ``finish`` gets the parser's last events once every byte is read (the caller delivers
    them with the line shift, under its lock); nothing is delivered after a cancellation.
    """
    h = history
    try:
        while h.scanned < h.end and not h.cancelled:
            if should_stop():
                return
            data = os.pread(h.fd, min(chunk, h.end - h.scanned), h.scanned)
            if not data:
                h.cancelled = True  # truncated under us: the live side restarts
                break
            h.scanned += len(data)
            h.newlines += data.count(b"\n")
            events = parser.feed(data)  # type: ignore[attr-defined]
            deliver(
                FileBatch(
                    path=path(),
                    events=tuple(events),
                    history=True,
                    scanned_bytes=h.scanned,
                    size_bytes=h.end,
                    warning=warning(parser),
                )
            )
        if not h.cancelled:
            finish(h, parser.finish())  # type: ignore[attr-defined]
    finally:
        with contextlib.suppress(OSError):
            os.close(h.fd)
