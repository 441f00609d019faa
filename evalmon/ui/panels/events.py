"""Events of the selected run: alerts with their reason, OOMs (file:line, kind, bytes tried),
HTTP 5xx bursts, retries, crashes, SLURM signals, stalls."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from evalmon import fmt
from evalmon.events import PythonException
from evalmon.state.model import RunView
from evalmon.supervisor.model import SupervisorStatus
from evalmon.ui.inert import inert
from evalmon.ui.retune import attempt_run, change_text
from evalmon.ui.view import DashboardView

LEVEL_STYLES = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}
LEVEL_ICONS = {"error": "✖", "warning": "▲", "info": "●"}
LEVEL_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class EventRow:
    level: str  # "error" | "warning" | "info"
    what: str
    where: str
    detail: str


def where(path: str, line: int) -> str:
    return f"{os.path.basename(path)}:{line}"


def is_oom_traceback(exc: PythonException) -> bool:
    """A traceback's last line that *is* an out-of-memory error (shown on the OOM's row)."""
    name = exc.type.rsplit(".", 1)[-1]
    return "OutOfMemory" in name or "out of memory" in exc.message.lower()


def supervisor_rows(status: SupervisorStatus) -> list[EventRow]:
    """What ``evalmon run`` did, oldest first: each relaunch, and how the session ended."""
    rows: list[EventRow] = []
    attempts = status.attempts
    for before, after in itertools.pairwise(attempts):
        place = (where(before.oom_file, before.oom_line or 0)
                 if before.oom_file is not None else f"attempt {before.number}")
        if before.outcome == "oom":
            rows.append(EventRow(
                "error", "relaunched", place,
                f"OOM at batch {fmt.optional(before.batch_size)} → attempt {after.number} at "
                f"batch {fmt.optional(after.batch_size)}"
                + (" (lm-eval's cache keeps the work already done)" if after.batch_size else ""),
            ))
        else:
            rows.append(EventRow(
                "warning", "relaunched", place,
                f"attempt {before.number} {before.outcome}: {inert(before.reason, 200)} → "
                f"attempt {after.number}",
            ))
    if status.finished:
        level = "info" if status.state == "succeeded" else "error"
        rows.append(EventRow(level, status.state.replace("_", " "), "supervisor",
                             inert(status.message, 300) or status.state))
    return rows


def event_rows(run: RunView, global_alerts: tuple = (), offers: bool = False) -> list[EventRow]:
    """Most important first: alerts (advice), OOMs, crashes, HTTP errors, retries.

    ``offers``: the run is the supervised job's running attempt, so advice that names a
    change says which key makes it (a live retune)."""
    rows: list[EventRow] = []
    # a traceback ending in an OOM error is the OOM itself: counted on its row, not repeated
    oom_tracebacks = [r for r in run.exceptions if is_oom_traceback(r.event)]
    oom_lines = {(r.file, r.line) for r in run.ooms}
    for alert in (*run.alerts, *global_alerts):
        if alert.kind == "http_5xx" and any(s >= 500 for s in run.http):
            continue  # the HTTP 5xx row below says it, with the statuses and the total
        offer = f" · a: relaunch at {change_text(alert)}" if offers and alert.change else ""
        rows.append(EventRow(alert.level, alert.kind.replace("_", " "), "",
                             alert.message + offer))
    for failure in run.oom_failures:  # one row per failure, however many records report it
        group = failure.records
        rec, oom = failure.first, failure.event
        bits = [f"{oom.kind} OOM ({oom.origin})"]
        if len(group) > 1:
            bits[0] = f"{len(group)}× " + bits[0]
        if oom.bytes_tried is not None:
            bits.append(f"tried {fmt.size(oom.bytes_tried)}")
        if failure.gpus:
            bits.append("GPU " + ",".join(map(str, failure.gpus)))
        if oom.free_bytes is not None:
            bits.append(f"free {fmt.size(oom.free_bytes)}")
        if oom.capacity_bytes is not None:
            bits.append(f"of {fmt.size(oom.capacity_bytes)}")
        tracebacks = [r for r in oom_tracebacks if r.file == rec.file]
        if tracebacks:
            bits.append(f"{len(tracebacks)} traceback{'s' if len(tracebacks) != 1 else ''}")
        if not oom.fatal:
            bits.append("recovered")
        elif not oom.batch_helps:
            bits.append("a smaller batch will not help")
        place = where(rec.file, rec.line)
        if len(group) > 1:
            more = "…" if len(group) > 4 else ""
            place += "," + ",".join(str(r.line) for r in group[1:4]) + more
        rows.append(EventRow("error" if oom.fatal else "warning", "OOM", place,
                             ", ".join(bits) + " — " + inert(oom.message, 160)))
    for rec in run.signals:
        sig = rec.event
        rows.append(EventRow("error", sig.kind.replace("_", " "), where(rec.file, rec.line),
                             sig.message or f"job {sig.job_id or '?'}"))
    for rec in run.exceptions:
        exc = rec.event
        if (rec.file, rec.line) in oom_lines or (run.ooms and is_oom_traceback(exc)):
            continue
        rows.append(EventRow("error", "exception", where(rec.file, rec.line),
                             f"{exc.type}: {inert(exc.message, 160)}"))
    errors_5xx = {s: c for s, c in sorted(run.http.items()) if s >= 500}
    if errors_5xx:
        total = sum(run.http.values())
        text = ", ".join(f"{c}× HTTP {s}" for s, c in errors_5xx.items())
        rows.append(EventRow("error", "HTTP 5xx", "server",
                             f"{text} of {fmt.plural(total, 'request')}"))
    # Flask logs "Exception on /completions" above each OOM traceback: those are the OOM rows
    others = run.server_exceptions - len(run.ooms)
    if others > 0:
        what = "other 'Exception on /completions' traceback"
        rows.append(EventRow("error", "server error", "server", fmt.plural(others, what)))
    if run.api_failures:
        rows.append(EventRow("warning", "API failures", "client",
                             f"{fmt.plural(run.api_failures, 'failed request')} seen by lm-eval"))
    if run.retries:
        rows.append(EventRow("warning", "retries", "client",
                             fmt.plural(run.retries, "retry attempt")))
    return sorted(rows, key=lambda row: LEVEL_ORDER.get(row.level, 3))  # stable: kept in kind


def render_events(rows: list[EventRow]) -> RenderableType:
    if not rows:
        return Text("no errors, no advice: all quiet", style="dim italic")
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column("icon", no_wrap=True, width=1)
    table.add_column("what", no_wrap=True, max_width=18)
    table.add_column("detail", ratio=1, overflow="fold")
    for row in rows:
        style = LEVEL_STYLES.get(row.level, "")
        detail = Text()
        if row.where:
            detail.append(inert(row.where, 60), style="bold")
            detail.append("  ")
        detail.append(inert(row.detail, 600))
        table.add_row(
            Text(LEVEL_ICONS.get(row.level, "·"), style=style),
            Text(row.what, style=style),
            detail,
        )
    return table


class EventsTable(VerticalScroll):
    """Events and advice, most important first; wraps long messages instead of cutting them."""

    BORDER_TITLE = "Events & advice"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._last: object = None
        self.rows: list[EventRow] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="events-body")

    def update_view(self, view: DashboardView) -> None:
        run = view.run
        offers = run is not None and run is attempt_run(view.snapshot, view.supervisor)
        rows = event_rows(run, view.snapshot.alerts, offers) if run else [
            EventRow(a.level, a.kind.replace("_", " "), "", a.message)
            for a in view.snapshot.alerts
        ]
        for warning in view.snapshot.warnings:
            rows.append(EventRow("warning", "warning", "", warning))
        if view.supervisor is not None:
            # the supervisor's story first: under `evalmon run` it is what happened to the job,
            # whichever attempt's run is selected
            rows = supervisor_rows(view.supervisor) + rows
        if rows == self._last:
            return
        self._last = rows
        self.rows = rows
        self.query_one("#events-body", Static).update(render_events(rows))
        self.border_subtitle = count_label(rows)


def count_label(rows: list[EventRow]) -> str:
    """``2 errors · 1 warning · 1 note``, or ``all quiet``."""
    parts = []
    for level, noun in (("error", "error"), ("warning", "warning"), ("info", "note")):
        n = sum(1 for r in rows if r.level == level)
        if n:
            parts.append(f"{n} {noun}{'s' if n != 1 else ''}")
    return " · ".join(parts) or "all quiet"


def describe(row: EventRow) -> str:
    """Plain one-line form (for tests and the tmux view)."""
    return " ".join(x for x in (row.what, row.where, inert(row.detail, 200)) if x)
