"""Routine server lines counted in bulk: engine calls and access lines (ServerTraffic).

A busy server writes an engine line and an access line per request. Parsing them one by
one would make a catch-up scan of a gigabyte log slow, so each read's routine lines are
counted at once: ``findall`` finds them (their patterns start with a literal, which ``re``
skips to at memory speed) and ``Counter`` counts them, both looping in C.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from evalmon.events import RECENT_ENGINE_CALLS, ServerTraffic

NO_TRAFFIC = ServerTraffic()


def int_counts(numbers: list[bytes]) -> tuple[tuple[int, int], ...]:
    """``(int(n), count)`` of the digit strings in ``numbers``, ascending."""
    return tuple(sorted((int(k), n) for k, n in Counter(numbers).items())) if numbers else ()


def count_traffic(
    data: bytes,
    ranges: Sequence[tuple[int, int]],
    engine_call: re.Pattern[bytes] | None,
    http_status: re.Pattern[bytes] | None,
    http_probe: re.Pattern[bytes] | None = None,
) -> ServerTraffic:
    """The routine lines in ``ranges`` of ``data``, counted in bulk.

    ``findall`` and ``Counter`` do the looping in C; the patterns start with a literal, so
    ``re`` skips the bytes between hits at memory speed. Access lines of monitoring probes
    (``http_probe``: ``GET /metrics``, ``/health``, evalmon's own scrapes among them) are
    not requests of the eval: their statuses are taken back out.
    """
    engine: list[bytes] = []
    statuses: list[bytes] = []
    probes: list[bytes] = []
    for lo, hi in ranges:
        if engine_call is not None:
            engine += engine_call.findall(data, lo, hi)
        if http_status is not None:
            statuses += http_status.findall(data, lo, hi)
            if http_probe is not None:
                probes += http_probe.findall(data, lo, hi)
    if not engine and not statuses:
        return NO_TRAFFIC
    counts = Counter(statuses)
    if probes:
        counts.subtract(probes)
    return ServerTraffic(
        int_counts(engine),
        tuple(map(int, engine[-RECENT_ENGINE_CALLS:])),
        tuple(sorted((int(k), n) for k, n in counts.items() if n > 0)),
    )
