"""One followed file: its identity, where reading has got, its parser, its last raw lines.

The follower (``follow.py``) decides when to read and what a rename or a truncation means;
a :class:`LogFile` does the reading of one file and keeps what belongs to it: the open
descriptor (so a rotated file is read to its end), the bytes just before the read offset
(to notice a rewrite in place), the parser that carries its partial line, and a bounded
ring of its last lines for the dashboard's log panel. That ring is why the log panel needs
no reader of its own: the bytes are read once.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from evalmon.events import Located

SIGNATURE_BYTES = 32  # bytes before the read offset remembered to spot in-place rewrites
LONG_LINE_WARNING = "over-long lines were cut: only the first 64 KiB of a line is parsed"


class LineParser(Protocol):
    """What a LogFile needs from ``evalmon.parsers.stream.LogParser``."""

    def feed(self, data: bytes) -> list[Located]: ...

    def flush(self) -> list[Located]: ...

    def finish(self) -> list[Located]: ...

    def reset(self) -> None: ...


@dataclass(frozen=True, slots=True)
class RawLine:
    """A line as written (its last ``\\r`` update), for the log panel."""

    seq: int  # arrival order over every file of one follower
    path: str
    text: str
    arrived: float = 0.0  # wall-clock seconds when it was read


class LineSeq:
    """Arrival numbers for raw lines, shared by every file of one follower."""

    def __init__(self) -> None:
        self._next = 0
        self._lock = threading.Lock()

    def take(self, n: int) -> int:
        """Reserve ``n`` consecutive numbers; the first is returned."""
        with self._lock:
            first = self._next
            self._next += n
            return first


@dataclass(slots=True)
class _Unsplit:
    """Complete lines of one read, kept as bytes until someone asks for them."""

    data: bytes  # each line ends with \n
    count: int
    first_seq: int
    arrived: float


class RecentLines:
    """The last lines read live from one file, bounded in lines and in bytes.

    Of a line made of ``\r``-separated tqdm updates it keeps what a terminal shows: the last
    update; of a long plain line, its head. A line still being written is kept aside (its
    head and its tail, bounded) until its newline arrives.

    Every file keeps its ring, but only the selected run's are ever shown: so a small read
    is kept as bytes and split into lines only when :meth:`lines` asks (a big one, or bytes
    over the budget, are split at once, from the end and only as far back as is kept).
    """

    def __init__(
        self,
        path: str,
        seq: LineSeq,
        max_lines: int = 500,
        max_line_chars: int = 2_000,
        unsplit_bytes: int = 64 * 1024,
    ) -> None:
        self.path = path
        self._seq = seq
        self._max_lines = max_lines
        self._items: deque[RawLine | _Unsplit] = deque()
        self._count = 0  # lines in _items
        self._unsplit_bytes = 0
        self._budget = unsplit_bytes
        self._cap = max_line_chars * 4  # bytes: up to 4 per character
        self._max_line_chars = max_line_chars
        self._head = b""  # of the line still being written
        self._tail = b""
        self._lock = threading.Lock()  # the reader adds while the UI's thread reads

    def add(self, data: bytes) -> None:
        """Take newly read bytes."""
        last_nl = data.rfind(b"\n")
        if last_nl < 0:
            self._extend_open(data)
            return
        first_nl = data.find(b"\n")
        now = time.time()
        with self._lock:
            self._extend_open(data[:first_nl])
            self._append(self._text(self._shown_open()), now)
            self._head = self._tail = b""
            count = data.count(b"\n", first_nl + 1, last_nl + 1)
            if count:
                if last_nl - first_nl > self._budget or count >= self._max_lines:
                    for text in self._split(data, first_nl + 1, last_nl, self._max_lines):
                        self._append(text, now)
                else:
                    block = data[first_nl + 1 : last_nl + 1]
                    self._items.append(_Unsplit(block, count, self._seq.take(count), now))
                    self._count += count
                    self._unsplit_bytes += len(block)
            self._trim()
        self._extend_open(data[last_nl + 1 :])

    def restart(self) -> None:
        """The file was truncated or replaced: a partial line of the old content is gone."""
        self._head = self._tail = b""

    def lines(self) -> list[RawLine]:
        with self._lock:
            out: list[RawLine] = []
            for item in self._items:
                if isinstance(item, RawLine):
                    out.append(item)
                else:
                    texts = self._split(item.data, 0, len(item.data) - 1, item.count)
                    out.extend(
                        RawLine(item.first_seq + i, self.path, text, item.arrived)
                        for i, text in enumerate(texts)
                    )
            return out[-self._max_lines :]

    def last_seq(self) -> int:
        with self._lock:
            if not self._items:
                return -1
            last = self._items[-1]
            return last.seq if isinstance(last, RawLine) else last.first_seq + last.count - 1

    # ------------------------------------------------------------------ internals
    def _append(self, text: str, arrived: float) -> None:
        self._items.append(RawLine(self._seq.take(1), self.path, text, arrived))
        self._count += 1

    def _trim(self) -> None:
        items = self._items
        while items and (
            self._count - _count_of(items[0]) >= self._max_lines
            or self._unsplit_bytes > self._budget
        ):
            item = items.popleft()
            self._count -= _count_of(item)
            if isinstance(item, _Unsplit):
                self._unsplit_bytes -= len(item.data)
                if self._count < self._max_lines:  # over the byte budget: keep it, split
                    texts = self._split(item.data, 0, len(item.data) - 1, item.count)
                    keep = texts[-(self._max_lines - self._count) :]
                    first = item.first_seq + item.count - len(keep)
                    items.extendleft(
                        RawLine(first + i, self.path, t, item.arrived)
                        for i, t in reversed(list(enumerate(keep)))
                    )
                    self._count += len(keep)

    def _split(self, data: bytes, lo: int, last_nl: int, limit: int) -> list[str]:
        """The texts of the last ``limit`` complete lines of ``data[lo:last_nl + 1]``."""
        kept: list[str] = []
        end = last_nl
        while end >= lo and len(kept) < limit:
            start = data.rfind(b"\n", lo, end) + 1 if end > lo else lo
            start = max(start, lo)
            kept.append(self._text(self._shown(data, start, end)))
            end = start - 1
        kept.reverse()
        return kept

    def _text(self, line: bytes) -> str:
        return line.decode("utf-8", "replace")[: self._max_line_chars]

    def _extend_open(self, chunk: bytes) -> None:
        if len(self._head) < self._cap:
            self._head += chunk[: self._cap - len(self._head)]
        self._tail = (self._tail + chunk[-self._cap :])[-self._cap :]

    def _shown_open(self) -> bytes:
        return self._segment(self._head, self._tail)

    def _shown(self, data: bytes, start: int, end: int) -> bytes:
        return self._segment(
            data[start : min(end, start + self._cap)], data[max(start, end - self._cap) : end]
        )

    @staticmethod
    def _segment(head: bytes, tail: bytes) -> bytes:
        """What a terminal shows of a line: its last ``\r`` update, else its head."""
        tail = tail.rstrip(b"\r")
        i = tail.rfind(b"\r")
        return tail[i + 1 :] if i >= 0 else head.rstrip(b"\r")


def _count_of(item: RawLine | _Unsplit) -> int:
    return 1 if isinstance(item, RawLine) else item.count


@dataclass
class LogFile:
    """One file being followed, open on ``fd``."""

    path: str
    fd: int
    identity: tuple[int, int]  # (st_dev, st_ino)
    parser: LineParser
    recent: RecentLines
    offset: int = 0  # next byte to read
    size: int = 0
    sniffed: bool = False
    flushed: bool = True
    relative: bool = False  # live line numbers count from the tail start (history pending)
    line_shift: int = 0  # added to live line numbers once the history is done
    pending_truncated: bool = False  # the next batch says the file started over
    signature: bytes = b""  # the bytes just before ``offset``
    history: object | None = None  # the tail-first history scan, see history.py
    warned_long_lines: bool = False
    reads: int = field(default=0, repr=False)

    @classmethod
    def open(
        cls, path: str, fd: int, parser: LineParser, seq: LineSeq | None = None
    ) -> LogFile:
        st = os.fstat(fd)
        return cls(
            path=path,
            fd=fd,
            identity=(st.st_dev, st.st_ino),
            parser=parser,
            recent=RecentLines(path, seq or LineSeq()),
            size=st.st_size,
        )

    def start_at(self, offset: int) -> None:
        """Read from ``offset`` on (tail-first reading): remember what precedes it."""
        self.offset = offset
        self.signature = os.pread(self.fd, SIGNATURE_BYTES, max(0, offset - SIGNATURE_BYTES))

    def unchanged_before_offset(self) -> bool:
        """The bytes before our offset are still there (else it was rewritten in place)."""
        if not self.signature:
            return True
        try:
            now = os.pread(self.fd, len(self.signature), self.offset - len(self.signature))
        except OSError:
            return True
        return now == self.signature

    def read(self, end: int, chunk: int) -> Iterator[bytes]:
        """The bytes from the offset up to ``end``, chunk by chunk, the offset moving on.

        Stops early if the file shrank while it was being read (the next pass sees that).
        """
        last = b""
        try:
            while self.offset < end:
                try:
                    data = os.pread(self.fd, min(chunk, end - self.offset), self.offset)
                except OSError:
                    break
                if not data:
                    break
                self.reads += 1
                self.offset += len(data)
                last = data
                self.recent.add(data)
                yield data
        finally:
            if last:
                self.signature = (self.signature + last)[-SIGNATURE_BYTES:]

    def rotated_copy_tail(self, chunk: int, limit: int = 64 << 20) -> Iterator[bytes]:
        """After a truncation: the bytes we had not read yet, from the rotated copy.

        ``copytruncate`` (logrotate, many job schedulers) copies the file, then truncates it
        in place; the lines written between our last read and the copy are only in the
        copy. A sibling named like ``server.log.1`` or ``server.log-20261202`` whose bytes
        just before our offset are the ones we last read is that copy: its bytes from our
        offset on are read too (at most ``limit``). What was written between the copy and
        the truncation is lost for every reader: that is copytruncate's own gap.
        """
        if not self.signature or self.offset <= 0:
            return
        folder, name = os.path.split(self.path)
        try:
            entries = [e for e in os.scandir(folder or ".") if e.name.startswith(name + ".")
                       or e.name.startswith(name + "-")]
        except OSError:
            return
        for entry in entries:
            try:
                fd = os.open(entry.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                st = os.fstat(fd)
                start = self.offset - len(self.signature)
                if st.st_size <= self.offset or os.pread(fd, len(self.signature), start) != (
                    self.signature
                ):
                    continue
                pos, end = self.offset, min(st.st_size, self.offset + limit)
                while pos < end:
                    data = os.pread(fd, min(chunk, end - pos), pos)
                    if not data:
                        break
                    pos += len(data)
                    self.recent.add(data)
                    yield data
                return
            except OSError:
                continue
            finally:
                os.close(fd)

    def restart(self) -> None:
        """The file was truncated in place: read it again from its start, lines from 1
        (finish the parser first: what it still holds belongs to the old content)."""
        self.parser.reset()
        self.recent.restart()
        self.offset = 0
        self.signature = b""
        self.relative = False
        self.line_shift = 0
        self.pending_truncated = True

    def long_line_warning(self, parser: LineParser | None = None) -> str:
        """Say once per file that the line cap dropped bytes (a 100 MB line, no newline)."""
        return self.long_line_warning_for(getattr(parser or self.parser, "dropped_bytes", 0))

    def long_line_warning_for(self, dropped_bytes: int) -> str:
        """The same, for bytes dropped by a parser other than the file's (its history's)."""
        if self.warned_long_lines or not dropped_bytes:
            return ""
        self.warned_long_lines = True
        return LONG_LINE_WARNING

    def long_line_warning_due(self) -> bool:
        return not self.warned_long_lines and bool(getattr(self.parser, "dropped_bytes", 0))

    def still_at_path(self) -> bool:
        """Does the path still name the file we have open?"""
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == self.identity

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = -1
