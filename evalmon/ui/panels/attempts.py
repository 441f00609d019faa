"""The supervisor's attempts (``evalmon run``): batch size, state, outcome, reason, duration."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from evalmon import fmt
from evalmon.supervisor.model import Attempt, SupervisorStatus
from evalmon.ui.inert import inert, inert_text
from evalmon.ui.view import DashboardView

OUTCOME_STYLES = {
    "running": "bold green",
    "succeeded": "bold blue",
    "oom": "bold red",
    "failed": "bold red",
    "cancelled": "yellow",
    "adopted": "cyan",
    "lost": "yellow",
}


def supervisor_line(status: SupervisorStatus) -> Text:
    """``supervisor: relaunching · attempt 2/5 · next batch 64 · <message>``."""
    text = Text("supervisor: ", style="dim")
    style = "bold red" if status.state in ("gave_up", "failed") else "bold"
    text.append(status.state.replace("_", " "), style=style)
    limit = f"/{status.max_attempts}" if status.max_attempts else ""
    text.append(f" · attempt {len(status.attempts)}{limit}")
    if status.next_batch_size is not None and not status.finished:
        text.append(f" · next batch {status.next_batch_size}")
    if status.message:
        text.append(" · ")
        text.append(inert(status.message, 200), style="italic")
    return text


def attempt_cells(attempt: Attempt, now_wall: float | None) -> tuple[Text, ...]:
    duration = attempt.duration_s
    if duration is None and now_wall is not None:
        duration = max(0.0, now_wall - attempt.started_at)
    return (
        Text(str(attempt.number), justify="right"),
        Text(fmt.optional(attempt.batch_size), justify="right"),
        inert_text(attempt.job_label, max_chars=30),
        inert_text(attempt.state or fmt.DASH, max_chars=30),
        Text(attempt.outcome, style=OUTCOME_STYLES.get(attempt.outcome, "")),
        inert_text(attempt.reason or fmt.DASH, max_chars=200),
        Text(fmt.duration(duration), justify="right"),
    )


class AttemptsTable(DataTable):
    BORDER_TITLE = "Attempts"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self._last: object = None

    def on_mount(self) -> None:
        self.add_columns("#", "Batch", "Job", "State", "Outcome", "Reason", "Time")

    def update_view(self, view: DashboardView) -> None:
        status = view.supervisor
        now_wall = view.wall
        key = (status, None if now_wall is None else round(now_wall))
        if key == self._last:
            return
        self._last = key
        self.clear()
        if status is None:
            return
        for attempt in status.attempts:
            self.add_row(*attempt_cells(attempt, now_wall))
        self.border_subtitle = supervisor_line(status)
