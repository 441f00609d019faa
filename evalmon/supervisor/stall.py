"""Stall diagnosis: PURE, no I/O and no clock (the loop passes its times in).

A stall is no progress on any bar of the attempt's own logs and no server activity (served
requests, engine calls, busy statistics) for ``--stall-timeout`` seconds. Where it is stuck
comes from what the logs said since the last progress, in this order:

* ``server_down``: the server shut down or the client's connections were refused;
* ``server_5xx``: the server answers, but with HTTP 5xx;
* ``client_retrying``: the client logs failed API requests (timeouts, resets...);
* ``server_silent``: the server served requests earlier and its access lines stopped;
* ``engine_idle``: the server writes (statistics, health checks) but serves nothing;
* ``silent``: nothing was written at all;
* ``no_progress``: the job writes, but none of its request bars moves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

#: what a client's failed request says when nothing listens on the server's port
REFUSED = ("connection refused", "cannot connect to host", "connecterror", "failed to establish")


@dataclass(slots=True)
class StallEvidence:
    """What the attempt's logs said, with wall-clock times (unix seconds)."""

    launched_at: float
    progress_at: float | None = None  # a bar of the attempt's own logs moved
    progress_where: str = ""  # "Requesting API 120/800": the place of the last progress
    served_at: float | None = None  # the server served a request (2xx/4xx, engine call)
    server_wrote_at: float | None = None  # any server line
    written_at: float | None = None  # any line of the attempt's own logs
    shutdown_at: float | None = None  # the server logged its shutdown
    refused_since: float | None = None  # first refused connection since the last progress
    refused: int = 0
    failures_since: float | None = None  # first failed API request since the last progress
    failures: int = 0
    errors_5xx_since: float | None = None
    errors_5xx: int = 0
    job_signal: str = ""  # SLURM's own word in the job log: time_limit, preempted, node_fail
    _seen: dict[str, float] = field(default_factory=dict)

    def on_progress(self, key: str, n: float, where: str, at: float) -> None:
        if self._seen.get(key) == n:
            return
        self._seen[key] = n
        self.progress_at = at
        self.progress_where = where
        self.refused_since = self.failures_since = self.errors_5xx_since = None
        self.refused = self.failures = self.errors_5xx = 0

    def on_api_failure(self, status: int | None, message: str, at: float) -> None:
        if status is None and any(word in message.lower() for word in REFUSED):
            self.refused += 1
            self.refused_since = self.refused_since or at
        elif status is not None and status >= 500:
            self.on_5xx(1, at)
        else:
            self.failures += 1
            self.failures_since = self.failures_since or at

    def on_5xx(self, count: int, at: float) -> None:
        self.errors_5xx += count
        self.errors_5xx_since = self.errors_5xx_since or at

    @property
    def quiet_since(self) -> float:
        """Since when neither a bar nor the server's service moved."""
        return max(t for t in (self.launched_at, self.progress_at, self.served_at) if t)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    kind: str
    text: str  # "server not answering since 03:14:05 (connection refused x12)"
    place: str  # where it stuck: the same place twice in a row ends the run


def _clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at))


def diagnose(ev: StallEvidence) -> Diagnosis:
    since = ev.quiet_since
    if ev.shutdown_at is not None and ev.shutdown_at >= since:
        kind, text = "server_down", f"server shut down at {_clock(ev.shutdown_at)}"
    elif ev.refused:
        kind = "server_down"
        text = (f"server not answering since {_clock(ev.refused_since or since)} "
                f"(connection refused x{ev.refused})")
    elif ev.errors_5xx:
        kind = "server_5xx"
        text = (f"server answering HTTP 5xx since {_clock(ev.errors_5xx_since or since)} "
                f"({ev.errors_5xx} responses)")
    elif ev.failures:
        kind = "client_retrying"
        text = (f"client retrying failed requests since {_clock(ev.failures_since or since)} "
                f"({ev.failures} failures)")
    elif ev.served_at is not None:
        kind, text = "server_silent", f"server not answering since {_clock(ev.served_at)}"
    elif ev.server_wrote_at is not None and ev.server_wrote_at >= since:
        kind, text = "engine_idle", f"server alive but its engine idle since {_clock(since)}"
    elif ev.written_at is None or ev.written_at <= since:
        kind, text = "silent", f"nothing written since {_clock(ev.written_at or since)}"
    else:
        kind, text = "no_progress", f"the job writes, but no bar moved since {_clock(since)}"
    place = f"{kind} at {ev.progress_where or 'the start'}"
    return Diagnosis(kind, text, place)


def progress_line(ev: StallEvidence, now: float, duration) -> str:
    """``no progress for 7m12s (server not answering since 03:14:05)``."""
    return f"no progress for {duration(now - ev.quiet_since)} ({diagnose(ev).text})"


def server_died(ev: StallEvidence) -> str | None:
    """``the server died under it (...)`` when the logs say so, else None."""
    if ev.shutdown_at is not None and ev.shutdown_at >= ev.quiet_since:
        return f"the server died under it (shut down at {_clock(ev.shutdown_at)})"
    if ev.refused:
        return (f"the server died under it (connection refused x{ev.refused} since "
                f"{_clock(ev.refused_since or ev.quiet_since)})")
    return None


def http_crash(ev: StallEvidence) -> str | None:
    """``client crashed on HTTP errors (...)`` when failed requests preceded the exit."""
    parts = []
    if ev.errors_5xx:
        parts.append(f"{ev.errors_5xx} HTTP 5xx")
    if ev.failures:
        parts.append(f"{ev.failures} failed requests")
    return f"client crashed on HTTP errors ({', '.join(parts)})" if parts else None
