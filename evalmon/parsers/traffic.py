"""Routine server lines counted in bulk: engine calls and access lines (ServerTraffic).

A busy server writes an engine line and an access line per request. Parsing them one by
one would make a catch-up scan of a gigabyte log slow, so each read's routine lines are
counted at once, with the looping in C: ``findall`` finds them (their patterns start with a
literal, which ``re`` skips to at memory speed), ``Counter`` counts them, and the commonest
access line of all (an OK answer) is counted by ``bytes.count`` without a match object.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from evalmon.events import RECENT_ENGINE_CALLS, ServerTraffic

NO_TRAFFIC = ServerTraffic()


@dataclass(frozen=True)
class TrafficPatterns:
    """What counts as a routine line, taken from the parser modules that declare it.

    ``engine_call``: an engine line, group 1 its batch size (megatron's ``ENGINE_CALL``).
    ``ok_status`` and ``other_status``: access lines, counted as ``ok_status`` occurrences
    (status 200) plus ``other_status`` matches (group 1 the status); ``probe``: access lines
    of monitoring probes (group 1 the status), taken back out (access_log's).
    """

    engine_call: re.Pattern[bytes] | None = None
    ok_status: bytes = b""
    other_status: re.Pattern[bytes] | None = None
    probe: re.Pattern[bytes] | None = None

    @classmethod
    def of(cls, modules: Sequence[ModuleType]) -> TrafficPatterns:
        def first(name: str) -> object:
            return next((getattr(m, name) for m in modules if hasattr(m, name)), None)

        return cls(
            engine_call=first("ENGINE_CALL"),  # type: ignore[arg-type]
            ok_status=first("OK_STATUS") or b"",  # type: ignore[arg-type]
            other_status=first("STATUS_OTHER"),  # type: ignore[arg-type]
            probe=first("PROBE"),  # type: ignore[arg-type]
        )


def int_counts(numbers: list[bytes]) -> tuple[tuple[int, int], ...]:
    """``(int(n), count)`` of the digit strings in ``numbers``, ascending."""
    return tuple(sorted((int(k), n) for k, n in Counter(numbers).items())) if numbers else ()


def count_traffic(
    data: bytes | bytearray, ranges: Sequence[tuple[int, int]], patterns: TrafficPatterns
) -> ServerTraffic:
    """The routine lines in ``ranges`` of ``data``, counted in bulk.

    Access lines of monitoring probes (``GET /metrics``, ``/health``, evalmon's own scrapes
    among them) are not requests of the eval: their statuses are taken back out.
    """
    engine: list[bytes] = []
    statuses: list[bytes] = []
    probes: list[bytes] = []
    ok = 0
    engine_call, other, probe = patterns.engine_call, patterns.other_status, patterns.probe
    ok_status = patterns.ok_status
    for lo, hi in ranges:
        if engine_call is not None:
            engine += engine_call.findall(data, lo, hi)
        if other is not None:
            if ok_status:
                ok += data.count(ok_status, lo, hi)
            statuses += other.findall(data, lo, hi)
            if probe is not None:
                probes += probe.findall(data, lo, hi)
    if not engine and not statuses and not ok:
        return NO_TRAFFIC
    counts = Counter(statuses)
    if ok:
        counts[b"200"] += ok
    if probes:
        counts.subtract(probes)
    return ServerTraffic(
        int_counts(engine),
        tuple(map(int, engine[-RECENT_ENGINE_CALLS:])),
        tuple(sorted((int(k), n) for k, n in counts.items() if n > 0)),
    )
