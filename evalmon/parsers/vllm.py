"""vLLM's periodic engine statistics -> :class:`EngineStats`.

Formats (``vllm/engine/metrics.py`` for the V0 engine, ``vllm/v1/metrics/loggers.py`` for V1):

* V0: ``Avg prompt throughput: 123.4 tokens/s, Avg generation throughput: 56.7 tokens/s,
  Running: 8 reqs, Swapped: 0 reqs, Pending: 2 reqs, GPU KV cache usage: 45.6%,
  CPU KV cache usage: 0.0%.``
* V1: ``Engine 000: Avg prompt throughput: 0.0 tokens/s, Avg generation throughput: 38.2
  tokens/s, Running: 1 reqs, Waiting: 0 reqs, GPU KV cache usage: 0.2%, Prefix cache hit
  rate: 0.0%`` (early V1 releases: no ``Engine 000:``, sometimes no KV fields; later ones say
  ``KV cache usage``).

Fields are read by name, so added or reordered fields do not break the parse. ``Pending``
(V0) and ``Waiting`` (V1) both mean queued requests. The separate V0 line ``Prefix cache
hit rate: GPU: x%, CPU: y%`` is not a statistics line and gives nothing.

The engine's batch cap ``max_num_seqs`` -> ``EngineConfig(max_batch_size=N)``, read from the
start-up dump (``non-default args: {..., 'max_num_seqs': 256}``, older
``args: Namespace(..., max_num_seqs=256, ...)``) or a command line with ``--max-num-seqs 256``.
"""

from __future__ import annotations

import re

from evalmon.events import EngineConfig, EngineStats, Event
from evalmon.parsers.lines import ascii_re, to_float, to_int

CANDIDATE: re.Pattern[bytes] = re.compile(
    rb"Avg (?:prompt|generation) throughput: |max[_-]num[_-]seqs['\"]?(?:=|:? +)\d"
)

_FIELD = ascii_re(
    r"(?P<key>Avg prompt throughput|Avg generation throughput|Running|Waiting|Pending|Swapped"
    r"|(?:GPU )?(?<!CPU )KV cache usage|Prefix cache hit rate): "
    r"(?P<value>\d{1,15}(?:\.\d{1,9})?)"
    r"(?P<suffix> tokens/s| reqs|%)"
)
_MAX_NUM_SEQS = ascii_re(
    r"(?:'max_num_seqs': |(?<![\w-])max_num_seqs=|(?<![\w-])--max[-_]num[-_]seqs(?:=| +))"
    r"(?P<value>\d{1,9})\b"
)


def parse(segment: str) -> list[Event]:
    """The statistics of one vLLM stats line, or its engine's batch cap; never raises."""
    try:
        if "num" in segment and "seqs" in segment:
            cap = _MAX_NUM_SEQS.search(segment)
            if cap:
                return [EngineConfig(max_batch_size=int(cap["value"]))]
        if "throughput: " not in segment:
            return []
        found: dict[str, str] = {}
        for match in _FIELD.finditer(segment):
            found.setdefault(match["key"], match["value"])
        if "Avg prompt throughput" not in found and "Avg generation throughput" not in found:
            return []
        waiting = found.get("Waiting", found.get("Pending"))
        kv = found.get("GPU KV cache usage", found.get("KV cache usage"))
        return [
            EngineStats(
                prompt_tokens_per_s=to_float(found.get("Avg prompt throughput")),
                generation_tokens_per_s=to_float(found.get("Avg generation throughput")),
                running=to_int(found.get("Running")),
                waiting=to_int(waiting),
                swapped=to_int(found.get("Swapped")),
                kv_cache_usage_pct=to_float(kv),
                prefix_cache_hit_pct=to_float(found.get("Prefix cache hit rate")),
            )
        ]
    except Exception:
        return []
