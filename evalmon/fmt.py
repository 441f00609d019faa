"""Short, consistent renderings of numbers (text only, no markup): panels and advice."""

from __future__ import annotations

import math

DASH = "–"


def rate(value: float | None, digits: int | None = None, dash: str = DASH) -> str:
    """Samples/s with precision that suits the magnitude: 0.75, 5.25, 12.4, 127 (the
    dashboard and the report print the same figure)."""
    if value is None or not math.isfinite(value):
        return dash
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
    """8s, 3m12s, 2h05m, 3d04h."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return DASH
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
    if value is None:
        return DASH
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def speedup(value: float | None, baseline: float | None) -> str:
    if not value or not baseline:
        return DASH
    ratio = value / baseline
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:.0f}×"


def optional(value: object) -> str:
    return DASH if value is None or value == "" else str(value)
