"""The supervisor's view of the run's logs: a subscription to the process's one monitor.

The supervisor reads no log itself while an attempt runs: the :class:`evalmon.pipeline.Monitor`
(one follower, one parse, shared with the dashboard) hands every :class:`FileBatch` to a
subscription queue that the supervisor's loop drains.

Which bytes belong to an attempt is a byte offset per file, taken at launch:
``read_now(flush=True, cut=True)`` returns once every byte present has been delivered, and
the offsets it returns are where the attempt's bytes begin (``FileBatch.scanned_bytes`` is the
file's offset after a read; a ``truncated`` batch restarts the file at 0). The cut makes the
OOM classifier judge the bytes after it on their own, so the next attempt's OOM is never a
"repeat" of the last one's.

:func:`read_span` is the one exception to "reads no log": when evalmon restarts and adopts an
attempt, that attempt's own output from its launch offset up to now is parsed once from disk.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from evalmon.events import FileBatch, Located, OutOfMemory

_CHUNK = 1 << 20


class LogSource(Protocol):
    """What the supervisor needs from :class:`evalmon.pipeline.Monitor`."""

    def subscribe(self, callback: Callable[[FileBatch], None]) -> Callable[[], None]: ...

    def read_now(self, flush: bool = False, *, cut: bool = False) -> dict[str, int]: ...

    def add_paths(self, paths: Sequence[str]) -> None: ...


class RunLogs:
    """Batches from a :class:`LogSource`, queued by its threads, taken by the supervisor loop.

    The loop is woken at once by a batch with an OOM in it (so the relaunch does not wait for
    the next round); routine batches wait for its next round.
    """

    def __init__(self, source: LogSource) -> None:
        self.source = source
        self._queue: queue.SimpleQueue[FileBatch] = queue.SimpleQueue()
        self._wake = threading.Event()
        self._unsubscribe = source.subscribe(self._put)

    def _put(self, batch: FileBatch) -> None:  # the monitor's threads
        self._queue.put(batch)
        if any(isinstance(loc.event, OutOfMemory) for loc in batch.events):
            self._wake.set()

    def take(self, timeout: float = 0.0) -> list[FileBatch]:
        """Every batch delivered so far, in delivery order. With ``timeout``, first wait that
        long or until a batch with an OOM arrives."""
        if timeout > 0:
            self._wake.wait(timeout)
        self._wake.clear()
        out: list[FileBatch] = []
        with contextlib.suppress(queue.Empty):
            while True:
                out.append(self._queue.get_nowait())
        return out

    def read_now(
        self, flush: bool = False, cut: bool = False
    ) -> tuple[dict[str, int], list[FileBatch]]:
        """Read everything present; returns each followed file's offset and the batches
        delivered until then (all of them from bytes written before this call)."""
        offsets = self.source.read_now(flush=flush, cut=cut)
        return offsets, self.take()

    def add_paths(self, paths: Sequence[str]) -> None:
        self.source.add_paths(paths)

    def close(self) -> None:
        self._unsubscribe()


def read_span(path: str, start: int, end: int) -> FileBatch | None:
    """The events of ``path``'s bytes ``[start, end)``, line numbers counted from the file's
    start; None if the file cannot be read. ``scanned_bytes`` is ``end``."""
    from evalmon.parsers.stream import LogParser

    parser = LogParser()
    located: list[Located] = []
    lines_before = 0
    try:
        with open(path, "rb") as fh:
            pos = 0
            while pos < start:  # line numbers as the dashboard shows them
                data = fh.read(min(_CHUNK, start - pos))
                if not data:
                    break
                lines_before += data.count(b"\n")
                pos += len(data)
            fh.seek(start)
            pos = start
            while pos < end:
                data = fh.read(min(_CHUNK, end - pos))
                if not data:
                    break
                pos += len(data)
                located += parser.feed(data)
    except OSError:
        return None
    located += parser.flush()
    if lines_before:
        located = [Located(loc.line + lines_before, loc.event) for loc in located]
    return FileBatch(path, tuple(located), scanned_bytes=end, size_bytes=end)
