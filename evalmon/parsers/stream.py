"""Incremental parser for one log file: bytes in, :class:`Located` events out.

Pure (no I/O, no clocks). Speed matters here: this is the engine behind ``evalmon report``
and the live follower, and logs of inference servers run to gigabytes. So the parser works
on the raw bytes of big chunks and never splits a chunk into a Python list of lines:

* one pass of a multi-pattern matcher finds where any module's ``CANDIDATE`` can match:
  Hyperscan when installed; else one RE2 DFA over their alternation; else Python's
  ``finditer`` per pattern (see ``benchmarks/README.md`` for what each costs);
* each hit is mapped to its segment (text between ``\n``/``\r`` separators) with
  ``rfind``/``find``, and its line number by counting ``\n`` between hits;
* only matched segments are decoded, re-checked with the module's own ``CANDIDATE`` and
  parsed; of a burst of ``\r`` tqdm updates on one physical line, only the last update of
  each bar is parsed;
* routine server lines (engine calls, access lines: a module's ``ENGINE_CALL`` and
  ``STATUS``) are not parsed one by one: ``findall`` and ``Counter`` count them over the
  whole region into one :class:`ServerTraffic`, whatever the region's size.

Memory stays bounded whatever the input: an incomplete segment carried between feeds keeps
at most ``max_line_bytes`` (its head), longer segments are cut the same way, the bytes
beyond the cap are counted in ``dropped_bytes`` and not even searched.

Anchors: a ``CANDIDATE`` may start with ``^`` or end with ``$`` (meaning the segment's
start or end); anchors elsewhere in a pattern are not supported by the scan.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from evalmon.events import (
    Event,
    Located,
    OutOfMemory,
    ResultRow,
)
from evalmon.parsers import (
    access_log,
    gpu_jsonl,
    lm_eval,
    megatron,
    oom,
    python_exc,
    sglang,
    slurm,
    tgi,
    tqdm,
    vllm,
)
from evalmon.parsers.context import LineRing, last_segment
from evalmon.parsers.scanner import scanner_for
from evalmon.parsers.segments import count_kept_newlines, kept_ranges
from evalmon.parsers.traffic import TrafficPatterns, count_traffic

DEFAULT_MODULES: tuple[ModuleType, ...] = (
    tqdm,
    lm_eval,
    python_exc,
    megatron,
    access_log,
    vllm,
    sglang,
    tgi,
    slurm,
    gpu_jsonl,
    oom,
)

_NL = b"\n"
_CR = b"\r"
_MAX_MODULES = 32  # a hit is stored as (position << 5) | module index
_CONTEXT_LINE_BYTES = 16 * 1024  # of a context line for oom.classify (it reads no more)
_OOM_MARK = object()  # placeholder returned by _parse_segment for an OOM candidate


def _has_text(line: bytes) -> bool:
    """Does a line after an OOM candidate count towards its context (oom.has_text)?"""
    return oom.has_text(line.decode("utf-8", "replace"))


def _decode_all(lines: Sequence[bytes]) -> list[str]:
    return [line.decode("utf-8", "replace") for line in lines]


@dataclasses.dataclass(eq=False)
class _PendingOom:
    """An OOM candidate waiting for the lines after it."""

    line: int
    text: str
    before: list[str]
    after: list[bytes] = dataclasses.field(default_factory=list)
    after_text: int = 0  # how many of ``after`` have text (see oom.wants_after)
    spaced: bool = False  # a double-spaced paste: its lines after are counted by their text
    done: bool = False
    result: Located | None = None


# --------------------------------------------------------------------------- the parser


class LogParser:
    """Incremental parser for ONE file: feed it bytes as they are appended, get Located events.

    ``lines`` counts the lines read so far (``\\n``; an unterminated last line counts after
    :meth:`finish`), ``dropped_bytes`` the bytes cut by the line cap, ``parse_errors`` the
    segments a module raised on (a parser bug must not stop the stream).
    """

    def __init__(
        self,
        *,
        max_line_bytes: int = 64 * 1024,
        modules: Sequence[ModuleType] = DEFAULT_MODULES,
        progress_samples: int = 0,
        scan_engine: str = "auto",
    ) -> None:
        """``progress_samples``: besides the last update of a bar in a ``\r`` burst, also
        keep about this many evenly spaced earlier ones, so that a log read whole still
        shows how its rate moved (the dashboard's throughput chart). 0: only the last.

        ``scan_engine``: the candidate scan's engine, ``"auto"`` (the best installed) or one
        of :data:`evalmon.parsers.scanner.ENGINES`."""
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        line_modules = [m for m in modules if hasattr(m, "parse")]
        oom_module = next((m for m in modules if hasattr(m, "classify")), None)
        self._mods: list[ModuleType] = line_modules + ([oom_module] if oom_module else [])
        if len(self._mods) > _MAX_MODULES:
            raise ValueError(f"at most {_MAX_MODULES} parser modules")
        self._patterns: list[re.Pattern[bytes]] = [m.CANDIDATE for m in self._mods]
        self._oom_module = oom_module
        self._oom_index = len(self._mods) - 1 if oom_module else -1
        self._bar_bit = 0
        for i, m in enumerate(line_modules):
            if m.__name__.rsplit(".", 1)[-1] == "tqdm":
                self._bar_bit = 1 << i
        self._all_bits = (1 << len(self._mods)) - 1
        self._ctx_before = int(getattr(oom_module, "CONTEXT_BEFORE", 0))
        self._ctx_after = int(getattr(oom_module, "CONTEXT_AFTER", 0))
        self._ctx_after_max = int(getattr(oom_module, "CONTEXT_AFTER_MAX", self._ctx_after))
        self._cap = max_line_bytes
        self._progress_samples = max(0, progress_samples)
        self._context_cap = min(max_line_bytes, _CONTEXT_LINE_BYTES)
        self._scanner = scanner_for(self._patterns, scan_engine)
        if self._bar_bit:
            self._scanner.set_bar_module(self._bar_bit.bit_length() - 1)
        self._scratch = self._scanner.new_scratch()
        self._traffic = TrafficPatterns.of(modules)
        self.reset()

    # ------------------------------------------------------------------ public API
    @property
    def scan_engine(self) -> str:
        """The candidate scan's engine in use: "hyperscan", "re2" or "python"."""
        return self._scanner.engine

    def reset(self) -> None:
        """The file starts over (truncation). Held events are dropped: flush() first."""
        self.lines = 0
        self.dropped_bytes = 0
        self.parse_errors = 0
        self._carry = bytearray()  # head (<= cap) of the incomplete segment
        self._carry_len = 0  # its full length so far
        self._line_open = False  # bytes seen since the last \n
        self._open_line_tail = b""  # last non-empty complete segment of the open line
        self._ring = LineRing(self._ctx_before, self._context_cap)  # OOM context from earlier reads
        self._queue: list[Any] = []  # Located and _PendingOom, in file order
        self._pending: list[_PendingOom] = []
        self._last_task = ""

    def feed(self, data: bytes | bytearray) -> list[Located]:
        """Parse newly appended bytes. ``data`` is not kept: a reused buffer is fine."""
        if not data:
            return self._release()
        if not isinstance(data, (bytes, bytearray)):
            data = bytes(data)
        size = len(data)
        nl = data.find(_NL)
        cr = data.find(_CR, 0, nl if nl >= 0 else size)
        first = cr if cr >= 0 else nl
        if first < 0:  # still inside one segment
            self._extend_carry(data, 0, size)
            self._line_open = True
            return self._release()

        if not self._line_open and not self._carry_len:
            # The previous feed ended a line: nothing spans the feeds, so the first
            # segment is scanned with the rest (the common case of a live follower,
            # a few whole lines per feed, pays no per-feed parse of all modules).
            start = 0
        else:
            # The segment that started in an earlier feed ends here.
            self._extend_carry(data, 0, first)
            seg = bytes(self._carry)
            self._carry = bytearray()
            self._carry_len = 0
            if seg:
                self._parse_lone_segment(seg, self.lines + 1)
            if data[first] == 10:
                self._complete_line(seg or self._open_line_tail)
            elif seg:
                self._open_line_tail = seg
            # Every segment between the first and the last separator is complete.
            start = first + 1
        last_nl = data.rfind(_NL, start)
        last_cr = data.rfind(_CR, last_nl + 1 if last_nl >= 0 else start)
        end = max(last_nl, last_cr) + 1
        if end > start:
            self._scan_region(data, start, end, last_nl)
        tail = max(end, start)
        self._extend_carry(data, tail, size)
        self._line_open = data[-1] != 10
        self._resolve_ready()
        return self._release()

    def prime(self, lines_before: bytes) -> None:
        """Start mid-file: ``lines_before`` are the complete lines just before the first
        byte fed (each ending with ``\n``). They are not parsed or counted, only kept as
        the context an OOM candidate near the start reads, as if they had been fed."""
        if lines_before:
            count = lines_before.count(_NL)
            end = lines_before.rfind(_NL) + 1
            self._ring.add_lines(lines_before, 0, end, count, b"")

    def waiting_lines(self) -> list[int]:
        """The lines of OOM candidates still waiting for the lines after them."""
        return [p.line for p in self._pending]

    def flush(self) -> list[Located]:
        """The file is idle: release OOM candidates with the context that exists."""
        for p in self._pending:
            self._resolve(p)
        self._pending.clear()
        return self._release()

    def finish(self) -> list[Located]:
        """The file is complete: parse its unterminated last line too, then flush."""
        if self._line_open:
            seg = bytes(self._carry)
            self._carry = bytearray()
            self._carry_len = 0
            if seg:
                self._parse_lone_segment(seg, self.lines + 1)
            self._complete_line(seg or self._open_line_tail)
            self._line_open = False
        return self.flush()

    # ------------------------------------------------------------------ carrying
    def _extend_carry(self, data: bytes, start: int, end: int) -> None:
        n = end - start
        if n <= 0:
            return
        room = self._cap - len(self._carry)
        if room > 0:
            self._carry += data[start : start + min(n, room)]
        if n > room:
            self.dropped_bytes += n - max(room, 0)
        self._carry_len += n

    def _complete_line(self, last_segment: bytes) -> None:
        """A line ended outside a scanned region (first segment of a feed, or finish)."""
        self.lines += 1
        self._ring.append(last_segment)
        for p in self._pending:
            if p.line < self.lines and self._wants_after(p):
                self._add_after(p, last_segment)
        self._open_line_tail = b""

    # ------------------------------------------------------------------ scanning
    def _scan_region(
        self,
        data: bytes,
        start: int,
        end: int,
        last_nl: int,
    ) -> None:
        """Parse every complete segment in ``data[start:end]`` (it ends with a separator).

        Rare lines come from the candidate scan, each with its line; routine lines are
        counted in bulk into one :class:`ServerTraffic` placed at the region's last line.
        """
        lines_before = self.lines
        first_line = self.lines + 1
        for p in self._pending:
            self._collect_after(p, data, start, start, first_line, end)

        cap = self._cap
        bar_bit = self._bar_bit
        rfind = data.rfind
        find = data.find
        counted = start
        line_start = line_end = -1
        seg_start = seg_end = -1
        line_no = 0
        group: list[list[int]] = []
        # Bytes beyond the cap of a long segment are dropped: not even searched.
        ranges, dropped = kept_ranges(data, start, end, self._cap)
        self.dropped_bytes += dropped
        ri = 0  # the first range that may still hold uncounted newlines
        hits = self._scanner.hits(data, ranges, self._scratch)
        for hit in hits:
            q = hit >> 5
            if q > line_end:
                if group:
                    self._finish_line(data, group, line_start, line_end, line_no, start, end)
                    group = []
                i = rfind(_NL, start, q)
                line_start = i + 1 if i >= 0 else start
                line_end = find(_NL, q, end)
                if line_end < 0:
                    line_end = end
                if line_start - counted < 65536:  # near: one count() wins
                    self.lines += data.count(_NL, counted, line_start)
                else:
                    n, ri = count_kept_newlines(data, counted, line_start, ranges, ri)
                    self.lines += n
                counted = line_start
                line_no = self.lines + 1
                seg_end = -1
            if q >= seg_end:
                i = rfind(_CR, line_start, q)
                seg_start = i + 1 if i >= 0 else line_start
                seg_end = find(_CR, q, line_end)
                if seg_end < 0:
                    seg_end = line_end
            if q >= seg_start + cap:
                continue  # beyond the kept head of a capped segment
            bit = 1 << (hit & 31)
            if group and group[-1][0] == seg_start:
                entry = group[-1]
                entry[2] |= bit
            else:
                entry = [seg_start, seg_end, bit, 0]
                group.append(entry)
            if bit == bar_bit:
                entry[3] += 1  # bars in this segment: one can be judged by its start
        if group:
            self._finish_line(data, group, line_start, line_end, line_no, start, end)
        self.lines += count_kept_newlines(data, counted, end, ranges, ri)[0]
        traffic = count_traffic(data, ranges, self._traffic)
        if traffic:
            # at the region's last line: the line it closed, or the one still open
            self._queue.append(Located(self.lines + (data[end - 1] != 10), traffic))

        if last_nl >= start:
            self._ring.add_lines(
                data, start, last_nl + 1, self.lines - lines_before, self._open_line_tail
            )
            self._open_line_tail = b""
        if data[end - 1] == 13:  # the last line is still open: remember its last segment
            tail = self._last_segment(data, max(last_nl + 1, start), end)
            if tail:
                self._open_line_tail = tail

    def _finish_line(
        self,
        data: bytes,
        group: list[list[int]],
        line_start: int,
        line_end: int,
        line_no: int,
        region_start: int,
        region_end: int,
    ) -> None:
        """Parse the matched segments of one physical line, emit their events in order."""
        cap = self._cap
        bar_bit = self._bar_bit
        if len(group) == 1:  # the common case: one matched segment on the line
            seg_start, seg_end, bits, _ = group[0]
            events = self._parse_segment(data[seg_start : min(seg_end, seg_start + cap)], bits)
            if bits & bar_bit:
                events = tqdm.last_update_of_each_bar(events, set(), [])
            results = [events]
        else:
            results = [[]] * len(group)
            seen_bars: set[str] = set()
            bar_keys: list[bytes] = []
            samples = self._progress_samples
            stride = max(1, len(group) // samples) if samples else 0
            # Backwards, so that of each bar only the last update is parsed (and, when
            # asked, a sparse sample of the earlier ones).
            for idx in range(len(group) - 1, -1, -1):
                seg_start, seg_end, bits, bars = group[idx]
                sampled = False
                if (
                    bars == 1
                    and seen_bars
                    and (
                        ("" in seen_bars and tqdm.UNLABELLED_BAR_START.match(data, seg_start))
                        or any(data.startswith(key, seg_start) for key in bar_keys)
                    )
                ):
                    if stride and idx % stride == 0:
                        sampled = True
                    else:
                        bits &= ~bar_bit
                        if not bits:
                            continue
                head = data[seg_start : min(seg_end, seg_start + cap)]
                events = self._parse_segment(head, bits)
                if bits & bar_bit and not sampled:
                    events = tqdm.last_update_of_each_bar(events, seen_bars, bar_keys)
                results[idx] = events
        queue = self._queue
        for idx, events in enumerate(results):
            for ev in events:
                if ev is _OOM_MARK:
                    seg_start, seg_end = group[idx][:2]
                    text = data[seg_start : min(seg_end, seg_start + cap)]
                    before = self._context_before(data, region_start, line_start)
                    pending = self._new_pending(text, line_no, before)
                    if line_end < region_end:
                        self._collect_after(
                            pending, data, region_start, line_end + 1, line_no + 1, region_end
                        )
                elif type(ev) is ResultRow:
                    self._emit(line_no, ev)
                else:
                    queue.append(Located(line_no, ev))

    def _parse_lone_segment(self, seg: bytes, line_no: int) -> None:
        """A segment that spanned feeds: check every module's CANDIDATE on it."""
        traffic = count_traffic(seg, ((0, len(seg)),), self._traffic)
        if traffic:
            self._queue.append(Located(line_no, traffic))
        events = tqdm.last_update_of_each_bar(self._parse_segment(seg, self._all_bits), set(), [])
        for ev in events:
            if ev is _OOM_MARK:
                self._new_pending(seg, line_no, _decode_all(self._ring_tail()))
            else:
                self._emit(line_no, ev)

    def _parse_segment(self, head: bytes, bits: int) -> list[Any]:
        if bits & (bits - 1) == 0:  # one module: the common case
            i = bits.bit_length() - 1
            if self._patterns[i].search(head) is None:
                return []
            if i == self._oom_index:
                return [_OOM_MARK]
            try:
                return self._mods[i].parse(head.decode("utf-8", "replace"))
            except Exception:  # a parser bug must not stop the stream
                self.parse_errors += 1
                return []
        out: list[Any] = []
        text: str | None = None
        while bits:
            low = bits & -bits
            bits ^= low
            i = low.bit_length() - 1
            if self._patterns[i].search(head) is None:
                continue
            if i == self._oom_index:
                out.append(_OOM_MARK)
                continue
            if text is None:
                text = head.decode("utf-8", "replace")
            try:
                out.extend(self._mods[i].parse(text))
            except Exception:  # a parser bug must not stop the stream
                self.parse_errors += 1
        return out

    # ------------------------------------------------------------------ context lines
    def _last_segment(self, data: bytes, line_start: int, line_end: int) -> bytes:
        return last_segment(data, line_start, line_end, self._context_cap)

    def _region_line(self, data: bytes, lo: int, line_start: int, line_end: int) -> bytes:
        """The context text of a line of the region starting at ``lo``.

        The region's first line may have begun in an earlier feed with nothing but
        separators left here (``\r`` then ``\n`` across feeds): its text was kept then.
        """
        text = self._last_segment(data, line_start, line_end)
        if not text and line_start == lo:
            return self._open_line_tail
        return text

    def _lines_before(
        self, data: bytes, lo: int, pos: int, k: int, *, ring: bool = False
    ) -> list[bytes]:
        """Up to ``k`` complete lines ending just before ``pos`` (a line start), oldest first.

        ``lo`` is the start of the scanned region: a line that began before it in an earlier
        feed still has its last segment inside it. With ``ring``, lines completed before the
        region complete the count.
        """
        out: list[bytes] = []
        end = pos
        while len(out) < k and end > lo and data[end - 1] == 10:
            i = data.rfind(_NL, lo, end - 1)
            line_start = i + 1 if i >= 0 else lo
            out.append(self._region_line(data, lo, line_start, end - 1))
            end = line_start
        out.reverse()
        if ring and len(out) < k:
            out = self._ring_tail(k - len(out)) + out
        return out

    def _context_before(self, data: bytes, lo: int, pos: int) -> list[str]:
        """The ``CONTEXT_BEFORE`` lines before the line at ``pos``, decoded, oldest first.

        An OOM candidate can be frequent (vLLM prints ``KV cache`` in every stats line), so
        the common case is one slice, one decode and one split, not a loop per line.
        """
        k = self._ctx_before
        first = pos
        n = 0
        while n < k and first > lo and data[first - 1] == 10:
            i = data.rfind(_NL, lo, first - 1)
            first = i + 1 if i >= 0 else lo
            n += 1
        if n and pos - first <= n * 4096 and data.find(_CR, first, pos) < 0:
            raw = data[first : pos - 1]
            cap = self._context_cap
            if pos - first > cap:  # each line capped in bytes, as _last_segment caps it
                raw = b"\n".join(line[:cap] for line in raw.split(b"\n"))
            lines = raw.decode("utf-8", "replace").split("\n")
            if first == lo and not lines[0]:  # see _region_line
                lines[0] = self._open_line_tail.decode("utf-8", "replace")
        else:
            lines = _decode_all(self._lines_before(data, lo, pos, n))
        if n < k:
            lines[:0] = _decode_all(self._ring_tail(k - n))
        return lines

    def _ring_tail(self, k: int | None = None) -> list[bytes]:
        return self._ring.tail(self._ctx_before if k is None else k)

    def _collect_after(
        self, p: _PendingOom, data: bytes, start: int, pos: int, line_no: int, end: int
    ) -> None:
        """Give ``p`` the complete lines from ``pos`` on (``start``: the region's start)."""
        while self._wants_after(p):
            nl = data.find(_NL, pos, end)
            if nl < 0:
                return
            if line_no > p.line:
                self._add_after(p, self._region_line(data, start, pos, nl))
            pos = nl + 1
            line_no += 1

    # ------------------------------------------------------------------ output
    def _emit(self, line_no: int, ev: Event) -> None:
        if isinstance(ev, ResultRow):
            ev, self._last_task = lm_eval.carry_table_task(ev, self._last_task)
        self._queue.append(Located(line_no, ev))

    def _wants_after(self, p: _PendingOom) -> bool:
        return oom.wants_after(
            len(p.after), p.after_text, p.spaced, self._ctx_after, self._ctx_after_max
        )

    def _add_after(self, p: _PendingOom, line: bytes) -> None:
        p.after.append(line)
        p.after_text += _has_text(line)

    def _new_pending(self, text: bytes, line_no: int, before: list[str]) -> _PendingOom:
        p = _PendingOom(line=line_no, text=text.decode("utf-8", "replace"), before=before)
        p.spaced = oom.double_spaced(before)
        self._queue.append(p)
        self._pending.append(p)
        return p

    def _resolve(self, p: _PendingOom) -> None:
        if p.done:
            return
        p.done = True
        after = [b.decode("utf-8", "replace") for b in p.after]
        try:
            ev = self._oom_module.classify(p.text, p.before, after)  # type: ignore[union-attr]
        except Exception:
            self.parse_errors += 1
            ev = None
        if isinstance(ev, OutOfMemory):
            p.result = Located(p.line, ev)

    def _resolve_ready(self) -> None:
        if not self._pending:
            return
        still: list[_PendingOom] = []
        for p in self._pending:
            if not self._wants_after(p):
                self._resolve(p)
            else:
                still.append(p)
        self._pending = still

    def _release(self) -> list[Located]:
        """Events in file order, up to the first OOM candidate still waiting for context."""
        queue = self._queue
        if not queue:
            return []
        out: list[Located] = []
        for n, item in enumerate(queue):
            if isinstance(item, Located):
                out.append(item)
            elif item.done:
                if item.result is not None:
                    out.append(item.result)
            else:
                self._queue = queue[n:]
                return out
        self._queue = []
        return out


def parse_text(text: str) -> list[Event]:
    """Every event of a whole text (convenience for tests and docs)."""
    parser = LogParser()
    located = parser.feed(text.encode("utf-8", "replace"))
    located += parser.finish()
    return [loc.event for loc in located]
