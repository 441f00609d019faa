"""HTTP access-log lines: counted by status, in bulk (see :class:`ServerTraffic`).

Every common-log-format server quotes the request line and follows it with the status:

* werkzeug (Flask's development server, Megatron's server):
  ``127.0.0.1 - - [24/Nov/2026 03:00:01] "POST /completions HTTP/1.1" 500 -``; on a tty it
  colours the request line (``"\\x1b[35m\\x1b[1mPOST ...HTTP/1.1\\x1b[0m" 200 -``);
* uvicorn (vLLM, SGLang, FastAPI servers):
  ``INFO:     127.0.0.1:53420 - "POST /v1/completions HTTP/1.1" 200 OK``, possibly behind a
  process tag such as ``(APIServer pid=12) `` or a container timestamp;
* kserve's uvicorn access logger, which adds a field:
  ``uvicorn.access INFO:     127.0.0.1:42226 1647689 - "POST /v1/... HTTP/1.1" 200 OK``.

So an access line is ``HTTP/x.y"``, a space and three digits (colour escapes allowed around
the quote: uvicorn colours the status too). The pattern starts with a literal, which lets
``re`` skip between hits at memory speed; that keeps a scan of a busy server's log fast.
"""

from __future__ import annotations

import re

from evalmon.events import Event, ServerStarted
from evalmon.parsers.lines import strip_ansi

# The status of each access line (group 1).
STATUS: re.Pattern[bytes] = re.compile(
    rb"HTTP/\d(?:\.\d)?(?:\x1b\[[0-9;]*m)*\" (?:\x1b\[[0-9;]*m)*(\d{3})\b"
)

# Most access lines of a busy server are one exact text: an OK answer over HTTP/1.1
# (werkzeug's ``HTTP/1.1" 200 -``, uvicorn's ``HTTP/1.1" 200 OK``). ``bytes.count`` counts
# those without making an object per line; STATUS_OTHER finds the rest. STATUS matches
# ``OK_STATUS`` exactly where it occurs, so the two counts add up to STATUS's.
OK_STATUS = b'HTTP/1.1" 200 '
# (The look-ahead comes after the literal ``HTTP/``: ``re`` skips to a literal prefix fast.)
STATUS_OTHER: re.Pattern[bytes] = re.compile(
    STATUS.pattern.replace(b"HTTP/", rb'HTTP/(?!1\.1" 200 )', 1)
)

# Monitoring probes: a scraper's or an orchestrator's requests, not the eval's (their access
# lines are counted by STATUS too, and taken back out). Group 1 is the status, as in STATUS.
PROBE: re.Pattern[bytes] = re.compile(
    rb"GET /(?:metrics|health|healthz|ping|ready|readyz|livez)(?:\?[^ \"]{0,200})? "
    rb"HTTP/\d(?:\.\d)?(?:\x1b\[[0-9;]*m)*\" (?:\x1b\[[0-9;]*m)*(\d{3})\b"
)

# The HTTP server's start-up line, which names where it listens (for /metrics discovery):
# uvicorn's ``INFO:     Uvicorn running on http://0.0.0.0:30000 (Press CTRL+C to quit)``
# (``uvicorn/server.py``; SGLang, vLLM and most FastAPI servers run on uvicorn).
CANDIDATE: re.Pattern[bytes] = re.compile(rb"Uvicorn running on ")
_UVICORN_RUNNING = re.compile(
    r"Uvicorn running on (?P<address>https?://[0-9A-Za-z.:\[\]_-]{1,200}) \(Press CTRL\+C", re.ASCII
)


def parse(segment: str) -> list[Event]:
    """The uvicorn start-up line, if it is one; never raises."""
    try:
        match = _UVICORN_RUNNING.search(strip_ansi(segment))
        if match is None:
            return []
        return [ServerStarted(server="uvicorn", address=match["address"])]
    except Exception:
        return []
