"""``gpu-<host>.jsonl``: GPU samples as JSON lines -> GpuSample / GpuUnavailable.

Written by ``evalmon gpu-log DIR`` on each node of a job (and by the demo's simulated GPU),
read back by the dashboard like any other log, so a multi-node job on a shared filesystem
is one screen without any network service.

The format, version 1: one JSON object per line, UTF-8, ASCII-escaped. Every line carries
``"evalmon": "gpu"`` (the tag ``CANDIDATE`` looks for), ``"v": 1`` and ``"host"``. A device
sample (one line per device per sampling instant)::

    {"evalmon": "gpu", "v": 1, "host": "node7", "timestamp": 1764000000.25, "index": 0,
     "name": "NVIDIA H100 80GB HBM3", "uuid": "GPU-...", "memory_used": 71468255232,
     "memory_total": 85520809984, "utilization_pct": 97.0, "temperature_c": 71.0,
     "power_w": 612.4, "power_limit_w": 700.0,
     "processes": [{"pid": 4242, "used_bytes": 70000000000, "name": "python"}],
     "simulated": false}

``memory_*`` and ``used_bytes`` are bytes; ``timestamp`` is Unix seconds; any measurement
may be ``null`` (the device does not report it); ``simulated`` is true for the demo's
modelled GPU. When the host has no usable GPU the line says why instead::

    {"evalmon": "gpu", "v": 1, "host": "node7", "timestamp": 1764000000.25,
     "unavailable": "NVIDIA driver not loaded"}

Readers ignore unknown keys (later versions may add some) and anything that is not such an
object: garbage, a cut-off last line, wrong types (a field of the wrong type becomes null).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from evalmon.events import Event, GpuProcess, GpuSample, GpuUnavailable

VERSION = 1
CANDIDATE: re.Pattern[bytes] = re.compile(rb'"evalmon": ?"gpu"')

MAX_PROCESSES = 256
MAX_TEXT = 200
_DECODER = json.JSONDecoder()


def to_json_line(sample: GpuSample | GpuUnavailable, timestamp: float | None = None) -> str:
    """One line of the format (without the newline).

    ``timestamp`` is needed for a :class:`GpuUnavailable` (which has none); for a sample it
    overrides ``sample.timestamp`` when given.
    """
    if isinstance(sample, GpuUnavailable):
        obj: dict[str, Any] = {
            "evalmon": "gpu",
            "v": VERSION,
            "host": sample.host,
            "timestamp": _num(timestamp),
            "unavailable": sample.reason,
        }
    else:
        obj = {
            "evalmon": "gpu",
            "v": VERSION,
            "host": sample.host,
            "timestamp": _num(sample.timestamp if timestamp is None else timestamp),
            "index": sample.index,
            "name": sample.name,
            "uuid": sample.uuid,
            "memory_used": sample.memory_used,
            "memory_total": sample.memory_total,
            "utilization_pct": _num(sample.utilization_pct),
            "temperature_c": _num(sample.temperature_c),
            "power_w": _num(sample.power_w),
            "power_limit_w": _num(sample.power_limit_w),
            "processes": [
                {"pid": p.pid, "used_bytes": p.used_bytes, "name": p.name}
                for p in sample.processes
            ],
            "simulated": bool(sample.simulated),
        }
    return json.dumps(obj, ensure_ascii=True, allow_nan=False, separators=(", ", ": "))


def parse(segment: str) -> list[Event]:
    """The sample or unavailability on one line; [] for anything else. Never raises."""
    try:
        obj = _load(segment)
        if obj is None:
            return []
        event = _event(obj)
    except Exception:  # robust to garbage by contract
        return []
    return [event] if event is not None else []


# --------------------------------------------------------------------------- reading


def _load(segment: str) -> dict[str, Any] | None:
    tag = segment.find('"evalmon"')
    if tag < 0:
        return None
    start = segment.rfind("{", 0, tag)
    if start < 0:
        return None
    obj, _ = _DECODER.raw_decode(segment, start)  # text glued after the object is ignored
    if not isinstance(obj, dict) or obj.get("evalmon") != "gpu":
        return None
    return obj


def _event(obj: dict[str, Any]) -> Event | None:
    host = _text(obj.get("host")) or "?"
    if "unavailable" in obj:
        return GpuUnavailable(host=host, reason=_text(obj.get("unavailable")) or "unavailable")
    index = _int(obj.get("index"))
    if index is None or index < 0:
        return None
    return GpuSample(
        host=host,
        index=index,
        name=_text(obj.get("name")),
        memory_used=_int(obj.get("memory_used")),
        memory_total=_int(obj.get("memory_total")),
        utilization_pct=_num(obj.get("utilization_pct")),
        temperature_c=_num(obj.get("temperature_c")),
        power_w=_num(obj.get("power_w")),
        power_limit_w=_num(obj.get("power_limit_w")),
        timestamp=_num(obj.get("timestamp")) or 0.0,
        processes=_processes(obj.get("processes")),
        simulated=obj.get("simulated") is True,
        uuid=_text(obj.get("uuid")),
    )


def _processes(value: Any) -> tuple[GpuProcess, ...]:
    if not isinstance(value, list):
        return ()
    out = []
    for item in value[:MAX_PROCESSES]:
        if not isinstance(item, dict):
            continue
        pid = _int(item.get("pid"))
        if pid is None or pid < 0:
            continue
        out.append(GpuProcess(pid=pid, used_bytes=_int(item.get("used_bytes")),
                              name=_text(item.get("name"))))
    return tuple(out)


def _text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 1 << 63 else None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value) if abs(value) < 1e300 else math.inf
    return number if math.isfinite(number) else None


__all__ = ["CANDIDATE", "VERSION", "parse", "to_json_line"]
