"""What matters now, on every screen size without a key press: the selected run's status,
rate, ETA and worst problem, and the supervisor's story (OOM at 256 → relaunched at 128)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from evalmon import fmt
from evalmon.state.model import RunView
from evalmon.ui.inert import inert
from evalmon.ui.panels.attempts import supervisor_story
from evalmon.ui.view import DashboardView

STATUS_STYLES = {
    "running": "bold green",
    "finished": "bold blue",
    "oom": "bold red",
    "failed": "bold red",
    "cancelled": "yellow",
    "timeout": "yellow",
}
_SEP = ("  ·  ", "dim")


def run_line(run: RunView) -> Text:
    """``run 2 running · 53.3 req/s · ETA 12s · 45% done · 600 cached requests reused``."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("run ", style="dim")
    text.append(inert(run.id, 40), style="bold")
    text.append(" ")
    text.append(run.status, style=STATUS_STYLES.get(run.status, ""))
    text.append(*_SEP)
    early = run.early and run.status == "running"
    if run.samples_per_s is not None:  # requests/s (the field keeps its old name)
        rate = fmt.rate(run.samples_per_s)
        text.append(fmt.early(rate) if early else rate, style="bold")
        text.append(" req/s", style="dim")
        if run.partial:
            text.append(" (partial)", style="yellow")
    else:
        text.append(run.no_rate, style="dim italic")
    if run.status == "running":
        text.append(*_SEP)
        text.append("ETA ", style="dim")
        eta = fmt.duration(run.eta_s)
        text.append(fmt.early(eta) if run.eta_early else eta, style="bold")
    if run.status == "running" and run.done_fraction is not None:
        text.append(*_SEP)
        text.append(fmt.done(run.done_fraction))
        text.append(" done", style="dim")
    problem = worst_problem(run)
    if problem:
        text.append(*_SEP)
        text.append(problem, style="bold red")
    if run.results:  # a finished run: its results first
        text.append(*_SEP)
        first = run.results[0]
        text.append(f"{inert(first.task, 40)} {inert(first.metric, 20)} ", style="dim")
        text.append(fmt.optional(first.value), style="bold green")
        if len(run.results) > 1:
            text.append(f" (+{len(run.results) - 1} more)", style="dim")
    cached = max((c.cached for c in run.cache), default=0)
    if cached:
        text.append(*_SEP)
        text.append(fmt.count(cached))
        text.append(f" cached request{'s' if cached != 1 else ''} reused", style="dim")
    return text


def worst_problem(run: RunView) -> str:
    """The one problem to show first: an OOM, a crash, a SLURM signal, HTTP errors."""
    failures = run.oom_failures
    if failures:
        failure = failures[-1]
        rec = failure.first
        place = f"{os.path.basename(rec.file)}:{rec.line}"
        word = "OOM" if failure.fatal else "OOM (recovered)"
        more = f" ({len(failures)} OOMs)" if len(failures) > 1 else ""
        return inert(f"{word} at {place}{more}", 80)
    if run.signals:
        sig = run.signals[-1].event
        return inert(sig.kind.replace("_", " "), 60)
    if run.exceptions and run.status in ("failed", "cancelled", "timeout"):
        exc = run.exceptions[-1].event
        return inert(exc.type.rsplit(".", 1)[-1], 60)
    errors = sum(c for s, c in run.http.items() if s >= 500)
    if errors:
        return f"{fmt.count(errors)}× HTTP 5xx"
    return ""


class NowPanel(Static):
    """One or two lines under the status line; never scrolls, never hides."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self._last: object = None

    def show(self, view: DashboardView, problems: Sequence[str] = ()) -> None:
        run = view.run
        key = (run, view.supervisor, tuple(problems[-1:]), view.waiting_for, view.followed,
               bool(view.snapshot.scanning))
        if key == self._last:
            return
        self._last = key
        lines: list[Text] = []
        if run is not None:
            lines.append(run_line(run))
        elif view.waiting_for:
            before, after = view.waiting_words()
            line = Text(before, style="italic", no_wrap=True, overflow="ellipsis")
            line.append(inert(", ".join(view.waiting_for), 200), style="bold")
            line.append(after, style="italic")
            lines.append(line)
        else:
            lines.append(Text("reading logs…" if view.snapshot.scanning else "no run yet",
                              style="dim italic"))
        if view.supervisor is not None:
            lines.append(supervisor_story(view.supervisor))
        for problem in problems[-1:]:
            line = Text("✖ ", style="bold red", no_wrap=True, overflow="ellipsis")
            line.append(inert(problem, 200), style="red")
            lines.append(line)
        self.update(Text("\n", no_wrap=True, overflow="ellipsis").join(lines))
