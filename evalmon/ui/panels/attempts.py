"""The supervisor's attempts (``evalmon run``): batch size, outcome, duration, job, reason; and
its story in one line (``OOM at batch 256 (server-1.log:53) → relaunched at 128``)."""

from __future__ import annotations

import itertools
import os

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from evalmon import fmt
from evalmon.supervisor.model import Attempt, SupervisorStatus
from evalmon.ui.inert import inert
from evalmon.ui.view import DashboardView

OUTCOME_STYLES = {
    "running": "bold green",
    "succeeded": "bold blue",
    "oom": "bold red",
    "failed": "bold red",
    "cancelled": "yellow",
    "adopted": "cyan",
    "lost": "yellow",
    "retuned": "bold cyan",
}
_ARROW = (" → ", "bold")


def _batch(size: int | None) -> str:
    return "?" if size is None else str(size)


def _at_batch(size: int | None) -> str:
    """The " at batch 128" of a story line; nothing when evalmon gave no batch size."""
    return "" if size is None else f" at batch {size}"


def _where(attempt: Attempt) -> str:
    """``server-1.log:53``, where the OOM that ended ``attempt`` was read, or ""."""
    if attempt.oom_file is None:
        return ""
    line = f":{attempt.oom_line}" if attempt.oom_line is not None else ""
    return f"{inert(os.path.basename(attempt.oom_file), 60)}{line}"


def supervisor_story(status: SupervisorStatus) -> Text:
    """What the supervisor did and is doing, in one line, the key words first (an 80-column
    terminal cuts the end): ``supervisor  OOM at batch 256 → relaunched at 128 · attempt 2/4
    running (pid 4188) · OOM read in server-1.log:53``."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("supervisor  ", style="bold magenta")
    attempts = status.attempts
    limit = f"/{status.max_attempts}" if status.max_attempts else ""
    places: list[str] = []
    for before, after in itertools.pairwise(attempts):
        if before.outcome == "oom":
            text.append(f"OOM at batch {_batch(before.batch_size)}", style="bold red")
            text.append(*_ARROW)
            text.append(f"relaunched at {_batch(after.batch_size)}", style="bold")
            places.append(_where(before))
        elif before.outcome == "retuned":  # a live retune (the r key, evalmon run --retune)
            text.append(f"retuned at batch {_batch(before.batch_size)}", style="bold cyan")
            text.append(*_ARROW)
            text.append(f"relaunched at {_batch(after.batch_size)}", style="bold")
            if after.num_concurrent is not None and after.num_concurrent != before.num_concurrent:
                text.append(f", num_concurrent {after.num_concurrent}", style="bold")
        else:
            text.append(f"attempt {before.number} {before.outcome}",
                        style=OUTCOME_STYLES.get(before.outcome, ""))
            text.append(*_ARROW)
            text.append(f"attempt {after.number}{_at_batch(after.batch_size)}")
        text.append(" · ", style="dim")
    current = status.current
    state = status.state
    message = inert(status.message, 200)
    if current is None:
        text.append(state.replace("_", " "), style="bold")
        if message:
            text.append(f": {message}", style="italic")
        return text
    number = f"attempt {current.number}{limit}"
    if state in ("launching", "running"):
        text.append(f"{number} {state}", style="bold green")
        text.append(_at_batch(current.batch_size))
        if current.job_label != "-":
            text.append(f" ({inert(current.job_label, 40)})", style="dim")
    elif state in ("stopping", "relaunching"):
        if current.outcome == "oom" or "out of memory" in message.lower():
            text.append(f"OOM at batch {_batch(current.batch_size)}", style="bold red")
            places.append(_where(current))
        else:
            text.append(f"{number}{_at_batch(current.batch_size)}", style="bold")
        text.append(*_ARROW)
        if state == "relaunching" and status.next_batch_size is not None:
            text.append(f"relaunching at {status.next_batch_size}", style="bold yellow")
        else:
            text.append("stopping the job", style="bold yellow")
    elif state == "succeeded":
        text.append("succeeded", style="bold blue")
        text.append(f"{_at_batch(current.batch_size)} ({number})", style="dim")
    else:  # gave_up, failed, cancelled
        word = state.replace("_", " ")
        text.append(word, style="bold red" if state in ("gave_up", "failed") else "bold yellow")
        if message.lower().startswith(word + ":"):
            message = message[len(word) + 1 :].strip()  # "gave up: gave up: ..." once
        if message:
            text.append(f": {message}", style="italic")
        text.append(f" ({number})", style="dim")
    if status.finished:
        text.append(" · q closes the dashboard", style="bold")
    places = [p for p in places if p]
    if places:
        text.append(f" · OOM read in {', '.join(places)}", style="dim")
    return text


def attempt_row(attempt: Attempt, now_wall: float | None) -> tuple[Text, ...]:
    duration = attempt.duration_s
    if duration is None and now_wall is not None:
        duration = max(0.0, now_wall - attempt.started_at)
    return (
        Text(str(attempt.number), justify="right"),
        Text(fmt.optional(attempt.batch_size), justify="right"),
        Text(attempt.outcome, style=OUTCOME_STYLES.get(attempt.outcome, "")),
        Text(fmt.duration(duration), justify="right"),
        Text(inert(attempt.job_label, 30), style="dim"),
        Text(inert(attempt.reason or attempt.state or fmt.DASH, 400)),
    )


#: below this many cells the job (pid / SLURM job id) column goes: the reason needs the room
JOB_COLUMN_MIN_WIDTH = 70


def render_attempts(status: SupervisorStatus, now_wall: float | None,
                    width: int = 0) -> RenderableType:
    with_job = width == 0 or width >= JOB_COLUMN_MIN_WIDTH
    table = Table(box=None, padding=(0, 1), expand=True, show_edge=False,
                  header_style="bold")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Batch", justify="right", no_wrap=True)
    table.add_column("Outcome", no_wrap=True)
    table.add_column("Time", justify="right", no_wrap=True)
    if with_job:
        table.add_column("Job", no_wrap=True)
    # the reason takes the rest of the width and wraps: it is the one cell that explains
    table.add_column("Reason", ratio=1, overflow="fold")
    for attempt in status.attempts:
        cells = attempt_row(attempt, now_wall)
        table.add_row(*(cells if with_job else cells[:4] + cells[5:]))
    if not status.attempts:
        table.add_row("", "", Text("none yet", style="dim italic"), *([""] * (2 + with_job)))
    return table


def wanted_height(status: SupervisorStatus | None, width: int) -> int:
    """Rows the panel needs at ``width`` cells: borders, header, each attempt's reason as
    wrapped in what the other columns leave."""
    if status is None:
        return 0
    room = max(10, width - (45 if width >= JOB_COLUMN_MIN_WIDTH else 32))
    lines = sum(-(-len(a.reason or a.state or "-") // room) for a in status.attempts)
    return 3 + max(1, lines)


class AttemptsTable(VerticalScroll):
    BORDER_TITLE = "Attempts"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._last: object = None
        self._view: DashboardView | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="attempts-body")

    def on_resize(self) -> None:
        if self._view is not None:
            self.update_view(self._view)

    def update_view(self, view: DashboardView) -> None:
        self._view = view
        status = view.supervisor
        now_wall = view.wall
        width = self.content_region.width
        key = (status, None if now_wall is None else round(now_wall), width)
        if key == self._last:
            return
        self._last = key
        body = self.query_one("#attempts-body", Static)
        if status is None:
            body.update("")
            self.border_subtitle = ""
            return
        body.update(render_attempts(status, now_wall, width))
        limit = f" of {status.max_attempts}" if status.max_attempts else ""
        self.border_subtitle = f"{len(status.attempts)}{limit} · {status.state.replace('_', ' ')}"
