"""SGLang scheduler batch lines -> :class:`SglangBatch`.

Real variants (``sglang/srt/managers/scheduler*.py`` over releases), usually behind a
``[2026-11-24 03:00:00 TP0] `` prefix:

* ``Prefill batch. #new-seq: 1, #new-token: 7, #cached-token: 0, token usage: 0.00,
  #running-req: 0, #queue-req: 0``; older ``Prefill batch(mixed #running-req: 3). ...``
  and ``cache hit rate: 0.00%``; newer ``Prefill batch, ...`` / ``Prefill batch [12], ...``,
  ``full token usage: 0.00, swa token usage: ...``.
* ``Decode batch. #running-req: 1, #token: 40, token usage: 0.00, gen throughput (token/s):
  6.73, #queue-req: 0`` and the same ``, `` / `` [N], `` openings.

Fields are read by name. ``token usage`` is a fraction (0..1) as SGLang prints it.

The scheduler's cap ``max_running_requests`` -> ``EngineConfig(max_requests=N)``, from
``server_args=ServerArgs(..., max_running_requests=128, ...)`` or ``--max-running-requests 128``.
"""

from __future__ import annotations

import re

from evalmon.events import EngineConfig, Event, SglangBatch
from evalmon.parsers.lines import ascii_re, to_float, to_int

CANDIDATE: re.Pattern[bytes] = re.compile(
    rb"(?:Prefill|Decode) batch|max[_-]running[_-]requests(?:=| +)\d"
)

_OPENING = ascii_re(
    r"(?P<phase>Prefill|Decode) batch"
    r"(?:\(mixed #running-req: (?P<mixed>\d{1,9})\))?"
    r"(?: \[\d{1,12}\])?[.,] #"
)
_INT_FIELD = ascii_re(r"#(?P<key>new-seq|new-token|running-req|queue-req): (?P<value>\d{1,12})")
_TOKEN_USAGE = ascii_re(r"(?:(?<=[,.] )|(?<=\]))(?:full )?token usage: (?P<value>\d{1,6}\.\d{1,6})")
_GEN_THROUGHPUT = ascii_re(r"gen throughput \(token/s\): (?P<value>\d{1,12}(?:\.\d{1,9})?)")
_MAX_RUNNING = ascii_re(
    r"(?:(?<![\w-])max_running_requests=|(?<![\w-])--max[-_]running[-_]requests(?:=| +))"
    r"(?P<value>\d{1,9})\b"
)


def parse(segment: str) -> list[Event]:
    """The batch of one SGLang Prefill/Decode line, or its request cap; never raises."""
    try:
        if "running" in segment and "requests" in segment:
            cap = _MAX_RUNNING.search(segment)
            if cap:
                return [EngineConfig(max_requests=int(cap["value"]))]
        if " batch" not in segment:
            return []
        opening = _OPENING.search(segment)
        if opening is None:
            return []
        rest = segment[opening.end() - 1 :]
        ints: dict[str, str] = {}
        for match in _INT_FIELD.finditer(rest):
            ints.setdefault(match["key"], match["value"])
        usage = _TOKEN_USAGE.search(rest)
        throughput = _GEN_THROUGHPUT.search(rest)
        running = ints.get("running-req", opening["mixed"])
        if not ints and usage is None and throughput is None and running is None:
            return []  # e.g. source code quoting the format string
        phase = "prefill" if opening["phase"] == "Prefill" else "decode"
        return [
            SglangBatch(
                phase=phase,
                running_reqs=to_int(running),
                queue_reqs=to_int(ints.get("queue-req")),
                new_seqs=to_int(ints.get("new-seq")),
                new_tokens=to_int(ints.get("new-token")),
                token_usage=to_float(usage["value"]) if usage else None,
                generation_tokens_per_s=to_float(throughput["value"]) if throughput else None,
            )
        ]
    except Exception:
        return []
