"""Small helpers shared by the line parsers: escape stripping and number reading.

Everything here is pure and never raises on any ``str`` input.
"""

from __future__ import annotations

import re

# CSI (colours, cursor moves such as tqdm's ``ESC[A``), OSC (titles, hyperlinks) and the
# two-byte escapes. Log text is data: these are removed, never interpreted.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, terminated by BEL or ST (or cut off)
    r"|\x1b[@-Z\\-_]"  # other Fe escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)


def strip_ansi(text: str) -> str:
    """``text`` without terminal escape sequences (fast path when there is no ESC)."""
    if "\x1b" not in text and "\x9b" not in text:
        return text
    return _ANSI.sub("", text)


def to_int(text: str | None) -> int | None:
    """``int(text)`` or None, for digit strings of sane length (no huge-int DoS)."""
    if text is None:
        return None
    text = text.strip()
    if not text or len(text) > 30 or not text.isascii():
        return None
    try:
        return int(text)
    except ValueError:
        return None


def to_float(text: str | None) -> float | None:
    """``float(text)`` or None; refuses nan/inf spellings and over-long strings."""
    if text is None:
        return None
    text = text.strip()
    if not text or len(text) > 40 or not text.isascii():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return value


# ``2026-11-24:03:08:06 INFO     [evaluator:589] message`` (lm-eval >= 0.4.5) and the older
# ``2024-05-01:12:00:00,123 INFO     [evaluator.py:123] message``.
LM_EVAL_PREFIX = re.compile(
    r"(?P<when>\d{4}-\d\d-\d\d:\d\d:\d\d:\d\d(?:,\d+)?) +"
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) +"
    r"\[(?P<where>[^\]\s]*)\] ",
    re.ASCII,
)


def lm_eval_message(segment: str) -> str:
    """The message part of an lm-eval log line, or ``segment`` itself if it has no prefix."""
    match = LM_EVAL_PREFIX.search(segment)
    return segment[match.end() :] if match else segment


def ascii_re(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile`` with ASCII classes: ``\\d`` must not take ``٣`` for a digit, so a
    parser accepts exactly what its bytes ``CANDIDATE`` can see."""
    return re.compile(pattern, flags | re.ASCII)
