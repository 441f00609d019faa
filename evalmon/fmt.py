"""The one way evalmon writes a figure. The dashboard, the report (table, markdown), the advice
and ``evalmon run``'s summary all call these, so a figure reads the same everywhere. Text only,
no markup; JSON keeps the raw numbers.

One style per quantity:

- **missing**: ``-`` (:data:`DASH`).
- **rates** (requests/s, docs/s, a bar's unit/s): precision that suits the magnitude,
  ``0.012``, ``0.75``, ``5.25``, ``12.4``, ``127``. The unit is the column's header, or the
  caller appends it: ``5.25 req/s``. An early estimate (too little of its bar has passed)
  reads ``~5.25`` (:func:`early`).
- **durations**: ``0.4s``, ``8s``, ``3m12s``, ``2h05m``, ``3d04h`` (the time for N samples,
  ETAs, attempt lengths, stalls).
- **latencies** (request timings, TTFT, time per token): ``0.8 ms``, ``35 ms``, ``2.46 s``,
  then as durations from a minute on.
- **speedups**: ``0.0059x``, ``0.41x``, ``7.0x``, ``16x``: two significant digits below 1x,
  one decimal up to 10x, whole numbers above.
- **sizes**: binary units, ``512 B``, ``1.5 KiB``, ``79.3 GiB``.
- **counts**: ``1,234``, ``12.5``. **fractions**: ``42%``; work done rounds down (``99%``
  until it is all done, :func:`done`).

Only ASCII marks: the speedup's ``x`` (not ``×``) and the dash ``-`` (not ``–`` or ``—``).
Those Unicode signs are East Asian "ambiguous width", which a CJK terminal draws two cells
wide (table columns shift), and they survive badly in CSV, grep and old consoles.
"""

from __future__ import annotations

import math

DASH = "-"


def rate(value: float | None, digits: int | None = None) -> str:
    """Samples/s (or any rate) with precision that suits the magnitude: 0.75, 5.25, 12.4, 127."""
    if value is None or not math.isfinite(value):
        return DASH
    if digits is not None:
        return f"{value:.{digits}f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"  # 0.012


def duration(seconds: float | None) -> str:
    """0.4s, 8s, 3m12s, 2h05m, 3d04h."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return DASH
    if seconds < 0.95:
        return f"{seconds:.1f}s"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m{s:02d}s"
    h, m = divmod(m, 60)
    if h < 48:
        return f"{h}h{m:02d}m"
    d, h = divmod(h, 24)
    return f"{d}d{h:02d}h"


def latency(seconds: float | None) -> str:
    """A request latency: 0.8 ms, 35 ms, 412 ms, 2.46 s, 12.4 s, then 3m12s."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return DASH
    if seconds < 0.9995:
        ms = seconds * 1000
        return f"{ms:.1f} ms" if ms < 9.95 else f"{ms:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s" if seconds < 9.995 else f"{seconds:.1f} s"
    return duration(seconds)


def speedup(ratio: float | None) -> str:
    """A speedup (a run's samples/s over the reference's): 0.0059x, 0.41x, 7.0x, 16x."""
    if ratio is None or not math.isfinite(ratio) or ratio <= 0:
        return DASH
    if ratio >= 9.95:
        return f"{ratio:.0f}x"
    if ratio >= 0.995:
        return f"{ratio:.1f}x"
    return f"{ratio:.2g}x"


def size(n_bytes: float | None) -> str:
    """Bytes in binary units: 512 B, 1.5 KiB, 79.3 GiB."""
    if n_bytes is None:
        return DASH
    value = float(n_bytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return DASH  # pragma: no cover


def count(value: float | None) -> str:
    """1,234 or 12.5."""
    if value is None:
        return DASH
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def plural(value: float | None, noun: str, many: str | None = None) -> str:
    """A count and its noun: "1 call", "2 calls", "1,000 docs" (``many`` for the odd plural)."""
    word = noun if value == 1 else (many or f"{noun}s")
    return f"{count(value)} {word}"


def early(text: str) -> str:
    """An estimate made too early to trust: ``~5.25``, ``~3m12s``."""
    return text if text == DASH else f"~{text}"


def done(fraction: float | None) -> str:
    """Work done as a whole percentage, rounded down: 99.6% done is ``99%``, not ``100%``."""
    if fraction is None or not math.isfinite(fraction):
        return DASH
    return f"{math.floor(max(0.0, min(1.0, fraction)) * 100 + 1e-9):d}%"


def percent(fraction: float | None) -> str:
    """A fraction as a whole percentage: 0.42 -> 42%."""
    if fraction is None or not math.isfinite(fraction):
        return DASH
    return f"{fraction:.0%}"


def optional(value: object) -> str:
    return DASH if value is None or value == "" else str(value)
