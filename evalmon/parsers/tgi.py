"""text-generation-inference (TGI) launcher and router lines -> TGI events.

TGI logs through Rust's ``tracing`` (``router/src/server.rs``, ``router/src/infer``,
``backends/v3/src``, ``launcher/src/main.rs``): ``<RFC 3339 time> <LEVEL> <spans>: <target>:
<file>:<line>: <message>``, coloured by default (``LOG_COLORIZE``), and often behind a
docker-compose ``name  | `` or rsyslog prefix (which writes ESC as ``#033``). Lines read:

* a served request, ``INFO generate{parameters=GenerateParameters { ... } total_time="2.52s"
  validation_time="308.477µs" queue_time="70µs" inference_time="2.52s"
  time_per_token="25.2ms" seed="None"}: text_generation_router::server:
  router/src/server.rs:298: Success`` (also ``chat_completions{...}``,
  ``compat_generate{...}:generate{...}``) -> :class:`TgiRequest`;
* a failed one, ``ERROR <spans>: text_generation_router[_v3]::{infer,backend,server}:
  <file>:<n>: <message>`` (``Request failed during generation: Server error: CUDA out of
  memory ...``, a validation message such as ```inputs` tokens + `max_new_tokens` must be
  <= 2048 ...``); also in ``--json-output`` form -> :class:`TgiError`;
* the router's ``Connected`` -> :class:`ServerStarted`; the launcher's ``Webserver
  Crashed`` / ``Shard N crashed`` / ``Shutting down shards`` -> :class:`ServerShutdown`, and
  the error it exits with, alone on the last line (``Error: ShardFailed``, also
  ``ShardCannotStart``, ``ShardDisconnected``, ``WebserverFailed``, ``WebserverCannotStart``:
  ``launcher/src/main.rs``'s ``LauncherError`` as ``main`` returns it) -> a crash;
* the launcher's one-line ``Args { model_id: ..., max_concurrent_requests: 128, ... }``,
  ``Default `max_batch_prefill_tokens` to N`` and the warm-up's ``Setting max batch total
  tokens to N`` -> :class:`TgiConfig` (plus ``EngineConfig(max_batch_size=N)`` when
  ``max_batch_size: Some(N)``).

Out-of-memory messages in these lines are left to :mod:`evalmon.parsers.oom`, which reads
them too; a failed request still gives its :class:`TgiError`.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from evalmon.events import (
    EngineConfig,
    Event,
    ServerShutdown,
    ServerStarted,
    TgiConfig,
    TgiError,
    TgiRequest,
)
from evalmon.parsers.lines import ascii_re, strip_ansi, to_float, to_int

# ESC as written by tracing (``\x1b[``) or by rsyslog's control-character escaping
# (``#033[``), between a word and what follows it.
_ESC = rb"(?:\x1b\[|#033\[)"
CANDIDATE: re.Pattern[bytes] = re.compile(
    rb"text_generation_router(?:_v\d{1,3})?::(?:server|infer|backend|validation)\b"
    rb"|Request failed during generation"
    rb"|\d:(?:" + _ESC + rb"0m)? Connected"
    rb"|Webserver Crashed|Shard \d{1,4} (?:crashed|failed to start)|Shutting down shards"
    rb"|Setting max batch total tokens to \d|Default `max_batch_prefill_tokens` to \d"
    rb"|Args \{ model_id: "
    rb"|Error: (?:Shard(?:Failed|CannotStart|Disconnected)|Webserver(?:Failed|CannotStart))"
)
_CANDIDATE_STR = ascii_re(CANDIDATE.pattern.decode("latin-1"))

_RSYSLOG_ESCAPE = ascii_re(r"#033\[[0-?]*[ -/]*[@-~]")
_WHEN = ascii_re(
    r"(?P<when>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d))"
    r" +(?:TRACE|DEBUG|INFO|WARN|ERROR)\b"
)
_SUCCESS = ascii_re(
    r"\}: text_generation_router(?:_v\d{1,3})?::server: \S{1,200}\.rs:\d{1,6}: Success\s*$"
)
_TIMING = re.compile(
    r"\b(?P<key>total_time|validation_time|queue_time|inference_time|time_per_token)="
    r"\"(?P<value>\d{1,15}(?:\.\d{1,12})?)(?P<unit>ns|[µμu]s|ms|s)\"",
    re.ASCII,
)
# a span's name: after the level (a space) or the parent span (a colon), right before ``{``
_SPAN = ascii_re(r"(?<=[ :])(?P<name>[a-z_][a-z0-9_]{0,60})\{")
_OUTER_SPAN = ascii_re(r"[a-z_][a-z0-9_]{0,60}")
# ``<target>: <file>:<line>: `` of a router line; its level and spans come before it
_ROUTER_TARGET = ascii_re(
    r"\b(?P<target>text_generation_router(?:_v\d{1,3})?(?:::\w{1,60}){1,4}): "
    r"\S{1,200}\.rs:\d{1,6}: "
)
_LEVEL = ascii_re(r"(?:^|\s)(?P<level>TRACE|DEBUG|INFO|WARN|ERROR) +")
_JSON_ERROR = ascii_re(
    r"\"level\":\"ERROR\",\"message\":\"(?P<message>(?:[^\"\\]|\\.){1,100000})\","
    r"\"target\":\"(?P<target>text_generation_router[\w:]{0,200})\""
)
# the first span of a JSON line's "spans": the outermost, its fields (quoted strings) skipped
_JSON_ROUTE = ascii_re(
    r"\"spans\":\[\{(?:[^{}\"]|\"(?:[^\"\\]|\\.){0,100000}\"){0,200}?"
    r"\"name\":\"(?P<name>\w{1,60})\""
)
_CONNECTED = ascii_re(
    r"\btext_generation_router(?:_v\d{1,3})?(?:::server)?: \S{1,200}\.rs:\d{1,6}: Connected\s*$"
)
_LAUNCHER = ascii_re(
    r"\btext_generation_launcher: (?P<message>Webserver Crashed"
    r"|Shard \d{1,4} (?:crashed|failed to start)|Shutting down shards)\b"
)
# the whole line: Rust's ``main`` returning ``Err(LauncherError::ShardFailed)``
_EXIT_ERROR = ascii_re(
    r"(?:^|[\s|])Error: (?P<error>Shard(?:Failed|CannotStart|Disconnected)"
    r"|Webserver(?:Failed|CannotStart))\s*$"
)
_ARGS = ascii_re(r"\btext_generation_launcher: Args \{ model_id: ")
_ARG = ascii_re(
    r"\b(?P<key>max_concurrent_requests|max_batch_prefill_tokens|max_batch_total_tokens"
    r"|max_batch_size|max_input_tokens|max_input_length|max_total_tokens): "
    r"(?:Some\((?P<some>\d{1,12})\)|(?P<value>\d{1,12})\b)"
)
_BATCH_TOTAL = ascii_re(r"\bSetting max batch total tokens to (?P<value>\d{1,12})\b")
_PREFILL_DEFAULT = ascii_re(r"\bDefault `max_batch_prefill_tokens` to (?P<value>\d{1,12})\b")
_UNIT_EXPONENT = {"ns": -9, "µs": -6, "μs": -6, "us": -6, "ms": -3, "s": 0}


def parse(segment: str) -> list[Event]:
    """The events of one TGI log line; never raises."""
    try:
        if _CANDIDATE_STR.search(segment) is None:
            return []
        text = strip_ansi(segment)
        if "#033[" in text:
            text = _RSYSLOG_ESCAPE.sub("", text)
        when_match = _WHEN.search(text)
        when = when_match["when"] if when_match else ""
        if "Success" in text and "total_time=" in text:
            request = _request(text, when)
            if request:
                return request
        if "text_generation_router" in text and ("ERROR" in text or "Request failed" in text):
            error = _error(text, when)
            if error:
                return error
        if "Connected" in text and _CONNECTED.search(text):
            return [ServerStarted(server="tgi", when=when)]
        launcher = _LAUNCHER.search(text)
        if launcher:
            message = launcher["message"]
            crashed = message != "Shutting down shards"
            return [ServerShutdown(server="tgi", crashed=crashed, message=message, when=when)]
        if "Error: " in text:
            exit_error = _EXIT_ERROR.search(text)
            if exit_error:
                message = f"Error: {exit_error['error']}"
                return [ServerShutdown(server="tgi", crashed=True, message=message, when=when)]
        return _config(text)
    except Exception:
        return []


def _request(text: str, when: str) -> list[Event]:
    if _SUCCESS.search(text) is None:
        return []
    times: dict[str, float | None] = {}
    first = None
    for match in _TIMING.finditer(text):
        if first is None:
            first = match.start()
        times.setdefault(match["key"], _seconds(match["value"], match["unit"]))
    if first is None:
        return []
    spans = list(_SPAN.finditer(text, 0, first))
    route = spans[-1]["name"] if spans else ""
    return [
        TgiRequest(
            route=route,
            total_s=times.get("total_time"),
            validation_s=times.get("validation_time"),
            queue_s=times.get("queue_time"),
            inference_s=times.get("inference_time"),
            time_per_token_s=times.get("time_per_token"),
            when=when,
        )
    ]


def _seconds(value: str, unit: str) -> float | None:
    """Rust's ``Duration`` Debug text in seconds, rounded once (``184.26µs`` -> 184.26e-6)."""
    try:
        return to_float(str(Decimal(value).scaleb(_UNIT_EXPONENT[unit])))
    except (InvalidOperation, KeyError):
        return None


def _error(text: str, when: str) -> list[Event]:
    json_line = _JSON_ERROR.search(text)
    if json_line:
        target = json_line["target"]
        message = json_line["message"].replace('\\"', '"').replace("\\\\", "\\")
        route = _JSON_ROUTE.search(text, json_line.end())
        route_name = route["name"] if route else ""
    else:
        match = _ROUTER_TARGET.search(text)
        if match is None:
            return []
        target = match["target"]
        message = text[match.end() :].rstrip()
        head = text[: match.start()]
        level = _LEVEL.search(head)
        is_error = level is not None and level["level"] == "ERROR"
        if not message or not (is_error or message.startswith("Request failed during")):
            return []  # not an error line (TGI logs that message at ERROR only)
        spans = head[level.end() :] if level else head
        route = _OUTER_SPAN.match(spans)
        route_name = route[0] if route else ""
    if target.endswith("::client"):
        return []  # a batch's error, repeated per request by a send_error line
    return [TgiError(kind=_error_kind(message), message=message, route=route_name, when=when)]


def _error_kind(message: str) -> str:
    if message.startswith("Request failed during generation"):
        return "generation"
    if message.startswith("Incomplete generation"):
        return "incomplete"
    if message in ("no permits available", "Model is overloaded"):
        return "overloaded"
    if message.startswith("`"):  # the router's validation errors name a parameter first
        return "validation"
    return "other"


def _config(text: str) -> list[Event]:
    batch_total = _BATCH_TOTAL.search(text)
    if batch_total:
        return [TgiConfig(max_batch_total_tokens=to_int(batch_total["value"]))]
    prefill = _PREFILL_DEFAULT.search(text)
    if prefill:
        return [TgiConfig(max_batch_prefill_tokens=to_int(prefill["value"]))]
    args = _ARGS.search(text)
    if args is None:
        return []
    found: dict[str, int | None] = {}
    for match in _ARG.finditer(text, args.end()):
        found.setdefault(match["key"], to_int(match["some"] or match["value"]))
    events: list[Event] = [
        TgiConfig(
            max_concurrent_requests=found.get("max_concurrent_requests"),
            max_batch_prefill_tokens=found.get("max_batch_prefill_tokens"),
            max_batch_total_tokens=found.get("max_batch_total_tokens"),
            max_batch_size=found.get("max_batch_size"),
            max_input_tokens=found.get("max_input_tokens", found.get("max_input_length")),
            max_total_tokens=found.get("max_total_tokens"),
        )
    ]
    if found.get("max_batch_size") is not None:
        events.append(EngineConfig(max_batch_size=found["max_batch_size"]))
    return events
