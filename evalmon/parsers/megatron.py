"""Megatron-LM text generation server: engine calls (counted in bulk), ServerException,
EngineConfig.

See ``../shared/notes/megatron-server-facts.md``. Texts:

* ``[BATCHING DEBUG] run_mcore_engine called with 256 prompts`` (a debug print users add):
  routine, counted in bulk with :data:`ENGINE_CALL` (see :class:`ServerTraffic`);
* ``request IP: 127.0.0.1`` and ``start time:  2026-11-24 03:00:01.123456`` (``PUT /api``):
  one pair per request, which the access line already counts, so they are not read;
* Flask's ``[2026-11-24 03:00:02,123] ERROR in app: Exception on /completions [POST]``;
* Megatron's argument dump ``  inference_max_batch_size ........ 256`` (``print_args``:
  two spaces, the name, dots, the value) and a command line carrying
  ``--inference-max-batch-size 256`` / ``--inference-max-requests 256`` (echoed by a script).
"""

from __future__ import annotations

import re

from evalmon.events import EngineConfig, Event, ServerException
from evalmon.parsers.lines import ascii_re, strip_ansi, to_int

CANDIDATE: re.Pattern[bytes] = re.compile(
    rb" in [\w.]+: Exception on "
    rb"|inference[_-]max[_-](?:batch[_-]size|requests)"
)

# The prompt count of each engine call (group 1); it starts with a literal, so ``re`` skips
# between hits at memory speed.
ENGINE_CALL: re.Pattern[bytes] = re.compile(rb"run_mcore_engine called with (\d{1,9}) prompt")

_FLASK_EXCEPTION = ascii_re(
    r"(?:\[(?P<when>[^\]]{1,64})\] )?ERROR in [\w.]+: Exception on (?P<path>\S{1,2000}) "
    r"\[(?P<method>[A-Z]{3,10})\]"
)
_ARG_DUMP = ascii_re(
    r"^\s*(?:\[rank\d+\]:\s*)?(?P<name>inference_max_batch_size|inference_max_requests) "
    r"\.+ (?P<value>\d{1,9}|None)\s*$"
)
_CLI_FLAG = ascii_re(
    r"(?<![\w-])--inference[-_]max[-_](?P<name>batch[-_]size|requests)"
    r"(?:=| +)['\"]?(?P<value>\d{1,9})\b"
)


def parse(segment: str) -> list[Event]:
    """Events from one segment of a Megatron server log; never raises."""
    try:
        text = strip_ansi(segment)
        events: list[Event] = []
        if ": Exception on " in text:
            match = _FLASK_EXCEPTION.search(text)
            if match:
                events.append(
                    ServerException(
                        method=match["method"], path=match["path"], when=match["when"] or ""
                    )
                )
        if "inference" in text:
            config = _engine_config(text)
            if config is not None:
                events.append(config)
        return events
    except Exception:
        return []


def _engine_config(text: str) -> EngineConfig | None:
    dump = _ARG_DUMP.match(text)
    if dump:
        value = to_int(dump["value"])
        if value is None:
            return None
        if dump["name"] == "inference_max_batch_size":
            return EngineConfig(max_batch_size=value)
        return EngineConfig(max_requests=value)
    batch_size: int | None = None
    requests: int | None = None
    for flag in _CLI_FLAG.finditer(text):
        value = to_int(flag["value"])
        if flag["name"] == "requests":
            requests = requests if requests is not None else value
        else:
            batch_size = batch_size if batch_size is not None else value
    if batch_size is None and requests is None:
        return None
    return EngineConfig(max_batch_size=batch_size, max_requests=requests)
