"""A small, bounded raw-line tail of a few files: what the dashboard's log panel shows.

The follower hands on parsed events, not lines; the log panel needs the lines themselves,
but only the last few hundred of the selected run's files. So this reader:

- on :meth:`TailReader.select`, only records which files are wanted (no I/O on the
  caller's thread, which is the UI's);
- on :meth:`TailReader.poll` (called from a background thread), reads the last
  ``initial_bytes`` of each newly selected file, then only the bytes appended since, found by
  comparing the size; a shrunk or replaced file is read again from its end;
- keeps at most ``max_lines`` lines per file, each capped at ``max_line_chars``; of a line
  made of ``\\r``-separated tqdm updates it keeps the last update.

Nothing here parses or draws: lines are plain decoded text, tagged with their file and an
arrival number so several files can be merged in the order their lines were read.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TailLine:
    seq: int  # arrival order over all files of the reader
    path: str
    text: str


@dataclass(slots=True)
class _FileTail:
    path: str
    offset: int = 0
    inode: int | None = None
    started: bool = False
    skipping: bool = False  # inside a line whose start we did not read
    partial: bytearray = field(default_factory=bytearray)
    partial_dropped: int = 0
    lines: deque[TailLine] = field(default_factory=deque)
    error: str = ""


class TailReader:
    """Last lines of the selected files; thread-safe (one poller, any number of readers)."""

    def __init__(
        self,
        max_lines: int = 500,
        initial_bytes: int = 128 * 1024,
        max_line_chars: int = 4_000,
        max_read_bytes: int = 4 * 1024 * 1024,
    ) -> None:
        self.max_lines = max_lines
        self.initial_bytes = initial_bytes
        self.max_line_chars = max_line_chars
        self.max_read_bytes = max_read_bytes
        self._lock = threading.Lock()
        self._wanted: tuple[str, ...] = ()
        self._files: dict[str, _FileTail] = {}
        self._seq = 0
        self._version = 0

    # ------------------------------------------------------------------ caller side

    def select(self, paths: Sequence[str]) -> None:
        """Follow these files from now on (their tails are read on the next poll)."""
        with self._lock:
            wanted = tuple(dict.fromkeys(paths))
            if wanted == self._wanted:
                return
            self._wanted = wanted
            self._files = {p: self._files.get(p) or _FileTail(p) for p in wanted}
            self._version += 1

    @property
    def version(self) -> int:
        """Grows whenever the lines change: a widget redraws only when it moved."""
        with self._lock:
            return self._version

    @property
    def paths(self) -> tuple[str, ...]:
        with self._lock:
            return self._wanted

    def lines(self) -> tuple[TailLine, ...]:
        """Every kept line of the selected files, merged in reading order."""
        with self._lock:
            merged = [line for tail in self._files.values() for line in tail.lines]
        merged.sort(key=lambda line: line.seq)
        return tuple(merged)

    def errors(self) -> dict[str, str]:
        with self._lock:
            return {p: t.error for p, t in self._files.items() if t.error}

    # ------------------------------------------------------------------ poller side

    def poll(self) -> bool:
        """Read what was appended to the selected files; True when any line was added."""
        with self._lock:
            tails = list(self._files.values())
        fresh: list[tuple[_FileTail, list[str]]] = []
        changed = False
        for tail in tails:
            try:
                first_read = not tail.started
                texts = self._poll_file(tail)
                tail.error = ""
            except OSError as exc:
                tail.error = exc.strerror or type(exc).__name__
                continue
            if first_read and texts:
                fresh.append((tail, texts))
            elif texts:
                changed |= self._store([(tail, text) for text in texts])
        if fresh:
            changed |= self._store(interleave(fresh, self.max_lines))
        return changed

    def _poll_file(self, tail: _FileTail) -> list[str]:
        try:
            st = os.stat(tail.path)
        except FileNotFoundError:
            return []
        replaced = tail.inode is not None and st.st_ino != tail.inode
        if replaced or st.st_size < tail.offset:
            # Rotated or truncated: start again from the new file's end.
            tail.started = False
            tail.partial.clear()
            tail.partial_dropped = 0
            tail.skipping = False
        if not tail.started:
            tail.inode = st.st_ino
            tail.offset = max(0, st.st_size - self.initial_bytes)
            skip_first = tail.offset > 0  # we probably landed mid-line
            tail.started = True
        else:
            skip_first = False
        if st.st_size == tail.offset:
            return []
        if st.st_size - tail.offset > self.max_read_bytes:
            # Far behind (a huge burst): only the end can still be among the last lines.
            tail.offset = st.st_size - self.initial_bytes
            tail.partial.clear()
            tail.partial_dropped = 0
            skip_first = True
        with open(tail.path, "rb") as fh:
            fh.seek(tail.offset)
            data = fh.read(st.st_size - tail.offset)
        tail.offset += len(data)
        return self._take(tail, data, skip_first)

    def _take(self, tail: _FileTail, data: bytes, skip_first: bool) -> list[str]:
        pieces = data.split(b"\n")
        complete = pieces[:-1]
        rest = pieces[-1]
        if skip_first:
            tail.skipping = True
        if tail.skipping:
            if complete:
                complete = complete[1:]
                tail.skipping = False
            else:
                rest = b""
        texts: list[str] = []
        for i, piece in enumerate(complete):
            if i == 0 and (tail.partial or tail.partial_dropped):
                texts.append(self._finish(tail, piece))
            else:
                texts.append(self._decode(piece, 0))
        self._append_partial(tail, rest)
        return texts

    def _store(self, items: Sequence[tuple[_FileTail, str]]) -> bool:
        with self._lock:
            stored = False
            for tail, text in items:
                if self._files.get(tail.path) is not tail:
                    continue  # deselected while we read
                self._seq += 1
                tail.lines.append(TailLine(self._seq, tail.path, text))
                while len(tail.lines) > self.max_lines:
                    tail.lines.popleft()
                stored = True
            if stored:
                self._version += 1
            return stored

    def _append_partial(self, tail: _FileTail, rest: bytes) -> None:
        room = self.max_line_chars * 4 - len(tail.partial)
        if len(rest) <= room:
            tail.partial += rest
        else:
            # Keep the head for display; a trailing \r update is taken from the new bytes.
            tail.partial += rest[: max(room, 0)]
            tail.partial_dropped += len(rest) - max(room, 0)
            cr = rest.rfind(b"\r")
            if cr >= 0:
                tail.partial = bytearray(rest[cr + 1 : cr + 1 + self.max_line_chars * 4])
                tail.partial_dropped = 0

    def _finish(self, tail: _FileTail, piece: bytes) -> str:
        whole = bytes(tail.partial) + piece
        dropped = tail.partial_dropped
        tail.partial.clear()
        tail.partial_dropped = 0
        return self._decode(whole, dropped)

    def _decode(self, raw: bytes, dropped: int) -> str:
        if b"\r" in raw:
            # tqdm: many updates on one physical line; the last non-empty one is current.
            segments = [s for s in raw.split(b"\r") if s.strip()]
            raw = segments[-1] if segments else b""
        limit = self.max_line_chars * 4
        if len(raw) > limit:
            dropped += len(raw) - limit
            raw = raw[:limit]
        text = raw.decode("utf-8", errors="replace")
        if len(text) > self.max_line_chars:
            dropped += len(text) - self.max_line_chars
            text = text[: self.max_line_chars]
        if dropped:
            text += f"… (+{dropped:,} bytes)"
        return text


def interleave(
    reads: Sequence[tuple[_FileTail, list[str]]], keep: int
) -> list[tuple[_FileTail, str]]:
    """Merge the first reads of several files by relative position in what was read.

    Lines read on later polls are merged in true arrival order; the tails read at selection
    carry no common clock, so lines at the same fraction of their file's tail are taken
    as contemporary (two logs written over the same period end up interleaved, not stacked).
    """
    keyed: list[tuple[float, int, _FileTail, str]] = []
    for order, (tail, texts) in enumerate(reads):
        texts = texts[-keep:]
        n = len(texts)
        for i, text in enumerate(texts):
            keyed.append(((i + 1) / n, order, tail, text))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [(tail, text) for _, _, tail, text in keyed]

