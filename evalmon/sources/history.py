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
from typing import Any

from evalmon.events import FileBatch

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
    parser: Callable[[], Any],
    workers: int | None,
    deliver: Callable[[FileBatch], None],
    warning: Callable[[int], str],
    should_stop: Callable[[], bool],
    finish: Callable[[History], None],
) -> None:
    """Read ``history`` to its end, delivering a batch per range scanned.

    The ranges are scanned by ``workers`` processes (None: as many as help, see
    :mod:`evalmon.sources.scan_ranges`), each with a ``parser()`` of its own; they read the
    file through this process's descriptor of it (``/proc/PID/fd/N``), so a rename or a
    new file at the path does not change what they read. ``path`` gives the file's current
    name for the batches; ``warning`` gets the bytes the line cap dropped so far. ``finish``
    is called once every byte is read (the caller delivers the line shift under its lock);
    nothing is delivered after a cancellation.
    """
    from evalmon.sources.scan_ranges import scan_in_ranges, workers_for

    h = history
    try:
        by_fd = f"/proc/{os.getpid()}/fd/{h.fd}"
        if not os.path.exists(by_fd):  # no /proc: by name, in this process
            by_fd, workers = path(), 1
        n = workers_for(h.end) if workers is None else max(1, workers)
        dropped = 0
        scans = scan_in_ranges(by_fd, h.fd, h.end, n, to_eof=False, parser=parser)
        try:
            for done in scans:
                if h.cancelled or should_stop():
                    return
                if done.error or done.short:
                    h.cancelled = True  # truncated under us: the live side restarts
                    return
                h.scanned = done.end
                h.newlines += done.lines
                dropped += done.dropped_bytes
                deliver(
                    FileBatch(
                        path=path(),
                        events=tuple(done.events),
                        history=True,
                        scanned_bytes=h.scanned,
                        size_bytes=h.end,
                        warning=warning(dropped),
                    )
                )
        finally:
            scans.close()  # stops the workers if we left early
        if not h.cancelled:
            finish(h)
    finally:
        with contextlib.suppress(OSError):
            os.close(h.fd)
