"""The lines around an OOM candidate: what ``oom.classify`` reads to judge it.

A traceback names the failure on its last line but the batch size, the rank or the request
on lines before it, so the classifier gets up to ``CONTEXT_BEFORE`` lines before a candidate
and ``CONTEXT_AFTER`` after it. The lines before may come from earlier reads: a
:class:`LineRing` keeps them. Candidates are rare while reads are many (a live follower
reads a few lines of each file four times a second), so the ring keeps each read's lines
as raw bytes and splits them into lines only when a candidate asks.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

_NL = b"\n"
_CR = b"\r"


def last_segment(data: bytes, line_start: int, line_end: int, cap: int) -> bytes:
    """What a terminal shows of a line: its last non-empty ``\\r`` segment (capped)."""
    while line_end > line_start and data[line_end - 1] == 13:
        line_end -= 1
    i = data.rfind(_CR, line_start, line_end)
    seg_start = i + 1 if i >= 0 else line_start
    return data[seg_start : min(line_end, seg_start + cap)]


@dataclass(slots=True)
class _Chunk:
    raw: bytes  # complete lines, each ending with \n (or one line's text when ``single``)
    lines: int
    open_tail: bytes  # the first line's text when it began in an earlier read (see add_lines)
    single: bool = False


class LineRing:
    """The last ``size`` lines of a file, each as its last ``\\r`` segment capped at
    ``line_cap`` bytes."""

    def __init__(self, size: int, line_cap: int) -> None:
        self.size = max(size, 1)
        self.line_cap = line_cap
        self._chunks: deque[_Chunk] = deque()
        self._count = 0

    def add_lines(self, data: bytes, lo: int, end: int, count: int, open_tail: bytes) -> None:
        """``data[lo:end]`` holds ``count`` complete lines (``end`` just after a newline).

        Its first line may have begun in an earlier read with nothing but separators left
        here (``\\r`` then ``\\n`` across reads): ``open_tail`` is the text kept of it then.
        """
        if count <= 0:
            return
        start = lo
        if count > self.size:  # only the last ``size`` lines can ever be asked for
            pos = end - 1
            for _ in range(self.size):
                pos = data.rfind(_NL, lo, pos)
                if pos < 0:
                    break
            if pos >= lo:
                start, count, open_tail = pos + 1, self.size, b""
            self._chunks.clear()
            self._count = 0
        self._chunks.append(_Chunk(bytes(data[start:end]), count, open_tail))
        self._count += count
        self._trim()

    def append(self, segment: bytes) -> None:
        """One line completed outside a read's region, as already cut to its last segment."""
        self._chunks.append(_Chunk(segment, 1, b"", single=True))
        self._count += 1
        self._trim()

    def tail(self, k: int) -> list[bytes]:
        """The last ``k`` lines, oldest first."""
        if k <= 0:
            return []
        out: list[bytes] = []
        for chunk in reversed(self._chunks):
            lines = [chunk.raw] if chunk.single else self._split(chunk)
            out[:0] = lines[-(k - len(out)) :]
            if len(out) >= k:
                break
        return out

    def _split(self, chunk: _Chunk) -> list[bytes]:
        raw, cap = chunk.raw, self.line_cap
        lines: list[bytes] = []
        pos = 0
        for _ in range(chunk.lines):
            nl = raw.find(_NL, pos)
            lines.append(last_segment(raw, pos, nl, cap))
            pos = nl + 1
        if lines and not lines[0] and chunk.open_tail:
            lines[0] = chunk.open_tail
        return lines

    def _trim(self) -> None:
        chunks = self._chunks
        while chunks and self._count - chunks[0].lines >= self.size:
            self._count -= chunks.popleft().lines
