"""HTTP access-log lines -> :class:`HttpRequest`.

* werkzeug (Flask's development server, Megatron's server):
  ``127.0.0.1 - - [24/Nov/2026 03:00:01] "POST /completions HTTP/1.1" 500 -``.
  On a tty werkzeug colours the quoted request line (``"\\x1b[35m\\x1b[1mPOST ...\\x1b[0m"``):
  escapes are stripped first. Other common-log-format servers (``[24/Nov/2026:03:00:01
  +0000]``) parse the same way and are labelled ``server="clf"``.
* uvicorn (vLLM, SGLang, FastAPI servers):
  ``INFO:     127.0.0.1:53420 - "POST /v1/completions HTTP/1.1" 200 OK``, possibly behind a
  process tag such as ``(APIServer pid=12) ``.
"""

from __future__ import annotations

import re

from evalmon.events import Event, HttpRequest
from evalmon.parsers.lines import WholeLine, ascii_re, strip_ansi

# Both formats quote ``METHOD PATH HTTP/x.y`` and follow it with a three-digit status.
CANDIDATE: re.Pattern[bytes] = re.compile(rb" HTTP/\d(?:\.\d)?(?:\x1b\[[0-9;]*m)*\" ")

# Whole-line shapes of plain (uncoloured) access lines, for the follower's fast path: a
# strict subset of what parse() takes. Paths are restricted to lowercase URL characters, and
# uvicorn's reason phrase to the standard ones, so that no other module's candidate can hide
# in them (``Killed``, ``OutOfMemory`` ...); anything else takes the full path.
_FAST_PATH = rb"([a-z0-9/_.~%=&?+-]{1,200})"
_FAST_REQUEST = (
    rb"\"(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) " + _FAST_PATH + rb" HTTP/1\.[01]\" "
)
_REASONS = (
    rb"OK|Created|Accepted|No Content|Bad Request|Unauthorized|Forbidden|Not Found"
    rb"|Method Not Allowed|Request Timeout|Payload Too Large|Unprocessable Entity"
    rb"|Unprocessable Content|Too Many Requests|Internal Server Error|Bad Gateway"
    rb"|Service Unavailable|Gateway Timeout"
)
WHOLE_LINES: tuple[WholeLine, ...] = (
    WholeLine(  # werkzeug: 127.0.0.1 - - [24/Nov/2026 03:00:01] "PUT /api HTTP/1.1" 200 -
        rb"[0-9a-f.:]{1,45} - - \[\d\d/[A-Z][a-z]{2}/\d{4} \d\d:\d\d:\d\d\] "
        + _FAST_REQUEST
        + rb"(\d{3}) (?:-|\d{1,12})",
        "http",
        number=2,
        free=1,
    ),
    WholeLine(  # uvicorn: INFO:     127.0.0.1:53412 - "POST /v1/completions HTTP/1.1" 200 OK
        rb"INFO: +[0-9a-f.:]{1,50}:\d{1,5} - " + _FAST_REQUEST + rb"(\d{3}) (?:" + _REASONS + rb")",
        "http",
        number=2,
        free=1,
    ),
)

_METHOD = r"(?P<method>[A-Z]{3,10})"
_REQUEST = _METHOD + r" (?P<path>[^\s\"]{1,8000}) HTTP/\d(?:\.\d)?"
_WERKZEUG = ascii_re(
    r"(?P<client>[0-9A-Za-z:.%\-\[\]_]{1,100}) - (?:\S{1,200}) \[(?P<when>[^\]]{1,64})\] "
    r"\"" + _REQUEST + r"\" (?P<status>\d{3})\b"
)
_UVICORN = ascii_re(
    r"(?:^|(?<=[\s)\]:]))(?:INFO|WARNING|ERROR|DEBUG):? +"
    r"(?P<client>[0-9A-Za-z:.%\-\[\]_]{1,100}) - \"" + _REQUEST + r"\" (?P<status>\d{3})\b"
)
_WERKZEUG_DATE = ascii_re(r"\d\d/[A-Z][a-z]{2}/\d{4} \d\d:\d\d:\d\d")


def _without_port(client: str) -> str:
    """uvicorn prints ``host:port`` (``::1:53420`` for IPv6): keep the host."""
    host, sep, port = client.rpartition(":")
    return host if sep and host and port.isdigit() else client


def parse(segment: str) -> list[Event]:
    """The request of one access-log line, if it is one; never raises."""
    try:
        if "HTTP/" not in segment:
            return []
        text = strip_ansi(segment)
        match = _UVICORN.search(text)
        if match:
            return [
                HttpRequest(
                    method=match["method"],
                    path=match["path"],
                    status=int(match["status"]),
                    client=_without_port(match["client"]),
                    server="uvicorn",
                )
            ]
        match = _WERKZEUG.search(text)
        if match:
            when = match["when"]
            return [
                HttpRequest(
                    method=match["method"],
                    path=match["path"],
                    status=int(match["status"]),
                    client=match["client"],
                    server="werkzeug" if _WERKZEUG_DATE.fullmatch(when) else "clf",
                    when=when,
                )
            ]
        return []
    except Exception:
        return []
