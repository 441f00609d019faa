"""When a log line was written, from the timestamp it starts with (for the merged log panel).

The shapes evalmon's logs carry, looked for near the start of a line only (a timestamp
inside a message body is not the line's):

* ISO 8601 and Python logging: ``2025-01-09T10:00:00.123456789Z``, ``2026-11-24 03:00:02,123``
  (Flask, Megatron's ``start time:``, SLURM's ``2026-11-24T03:00:01``, container runtimes);
* lm-eval: ``2026-11-24:03:08:06`` (with an optional ``,123``);
* werkzeug and common log format: ``[24/Nov/2026 03:00:01]``, ``[10/Oct/2000:13:55:36 -0700]``;
* vLLM and glog-style: ``INFO 05-01 12:00:00`` (no year: the caller's ``year``).

Times without a zone are local time, as the programs that print them mean it.
"""

from __future__ import annotations

import calendar
import functools
import heapq
import re
import time
from collections.abc import Iterable
from typing import Protocol, TypeVar

_HEAD = 120  # characters of a line searched
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
_ISO = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?",
    re.ASCII,
)
_LM_EVAL = re.compile(r"(\d{4})-(\d\d)-(\d\d):(\d\d):(\d\d):(\d\d)(?:,(\d{1,6}))?", re.ASCII)
_CLF = re.compile(
    r"\[(\d\d)/([A-Z][a-z]{2})/(\d{4})[ :](\d\d):(\d\d):(\d\d)(?: ([+-]\d\d\d\d))?\]", re.ASCII
)
_GLOG = re.compile(r"\b(?:INFO|WARNING|ERROR|DEBUG|CRITICAL) (\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\b")


@functools.lru_cache(maxsize=8192)  # the log panel asks for the same lines 4 times a second
def line_time(text: str, year: int) -> float | None:
    """Seconds since the epoch of the timestamp ``text`` starts with, or None."""
    head = text[:_HEAD]
    try:
        if m := _LM_EVAL.search(head):
            y, mo, d, h, mi, s, frac = m.groups()
            return _local(int(y), int(mo), int(d), int(h), int(mi), int(s), frac)
        if m := _ISO.search(head):
            y, mo, d, h, mi, s, frac, zone = m.groups()
            if zone is None:
                return _local(int(y), int(mo), int(d), int(h), int(mi), int(s), frac)
            seconds = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s), 0, 0, 0))
            return seconds + _fraction(frac) - _zone_offset(zone)
        if m := _CLF.search(head):
            d, mon, y, h, mi, s, zone = m.groups()
            month = _MONTHS.get(mon)
            if month is None:
                return None
            if zone is None:
                return _local(int(y), month, int(d), int(h), int(mi), int(s), None)
            seconds = calendar.timegm((int(y), month, int(d), int(h), int(mi), int(s), 0, 0, 0))
            return seconds - _zone_offset(zone)
        if m := _GLOG.search(head):
            mo, d, h, mi, s = m.groups()
            return _local(year, int(mo), int(d), int(h), int(mi), int(s), None)
    except (ValueError, OverflowError):
        return None
    return None


def _local(y: int, mo: int, d: int, h: int, mi: int, s: int, frac: str | None) -> float | None:
    if not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s < 61):
        return None
    return time.mktime((y, mo, d, h, mi, s, 0, 0, -1)) + _fraction(frac)


def _fraction(frac: str | None) -> float:
    return int(frac) / 10 ** len(frac) if frac else 0.0


def _zone_offset(zone: str) -> int:
    """``Z``, ``+0100``, ``-07:00`` -> seconds east of UTC."""
    if zone == "Z":
        return 0
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4]) * 60)


class _Line(Protocol):
    path: str
    text: str
    arrived: float


L = TypeVar("L", bound=_Line)


def in_time_order(lines: Iterable[L], year: int | None = None) -> list[L]:
    """Lines of several files merged in the order they were written.

    Each file's lines stay in file order. A line with no timestamp takes the time of the
    line before it in its file (the first ones of a file, that of its first timestamp); a
    file with no timestamp at all keeps the time its lines were read (``arrived``).
    """
    year = year if year is not None else time.localtime().tm_year
    by_file: dict[str, list[L]] = {}
    for line in lines:
        by_file.setdefault(line.path, []).append(line)
    keyed: list[list[tuple[float, int, L]]] = []
    for file_index, file_lines in enumerate(by_file.values()):
        times = [line_time(line.text, year) for line in file_lines]
        known = next((t for t in times if t is not None), None)
        current = known
        keys = []
        for line, when in zip(file_lines, times, strict=True):
            if when is not None:
                current = when
            keys.append((current if current is not None else line.arrived, file_index, line))
        keyed.append(keys)
    return [line for _, _, line in heapq.merge(*keyed, key=lambda k: (k[0], k[1]))]
