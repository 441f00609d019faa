"""The live dashboard: ``EvalmonApp`` draws snapshots; ``run_dashboard`` wires it to the logs.

Ingest and render are decoupled: sources feed the state on their own threads, and a
background pump reads one consistent :class:`~evalmon.pipeline.FeedData` a few times a
second and hands it to the UI thread, which only draws. Nothing here reads a file or the GPU.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from evalmon.pipeline import Feed, FeedData, LiveFeed
from evalmon.state.model import RunView, Snapshot
from evalmon.ui.inert import inert
from evalmon.ui.panels.attempts import AttemptsTable, supervisor_line
from evalmon.ui.panels.events import EventsTable
from evalmon.ui.panels.gpu import GpuPanel
from evalmon.ui.panels.histogram import HistogramPanel
from evalmon.ui.panels.logview import LogPanel
from evalmon.ui.panels.processes import ProcessesTable
from evalmon.ui.panels.progress import ProgressPanel
from evalmon.ui.panels.runs import RunsTable
from evalmon.ui.panels.throughput import EngineBatchChart, ThroughputChart
from evalmon.ui.view import EMPTY_SNAPSHOT, DashboardView

#: panel id -> name shown in the command palette; keys toggle them
PANELS: dict[str, str] = {
    "charts": "charts (throughput, engine batches, histogram)",
    "gpu": "GPU",
    "log": "log",
    "events": "events",
    "side": "processes and attempts",
}


def default_run(runs: Sequence[RunView]) -> str | None:
    """The run a user most likely wants: the newest running one, else the newest."""
    running = [r for r in runs if r.status == "running"]
    pick = running[-1] if running else (runs[-1] if runs else None)
    return pick.id if pick else None


def scan_label(snapshot: Snapshot) -> str:
    """``scanning history: server-103.log 43%`` (the least advanced file), or ""."""
    if not snapshot.scanning:
        return ""
    slowest = min(snapshot.scanning, key=lambda s: s.fraction)
    more = f" (+{len(snapshot.scanning) - 1} files)" if len(snapshot.scanning) > 1 else ""
    return f"scanning history: {os.path.basename(slowest.path)} {slowest.fraction:.0%}{more}"


class StatusLine(Static):
    """One line on top: what is watched, how many runs, scan progress, pause, supervisor."""

    def show(self, view: DashboardView, problems: Sequence[str] = ()) -> None:
        snap = view.snapshot
        text = Text()
        text.append(" evalmon ", style="bold reverse")
        if view.sources_label:
            text.append("  ")
            text.append(inert(view.sources_label, 80), style="bold")
        running = sum(1 for r in snap.runs if r.status == "running")
        text.append(f"  ·  {len(snap.runs)} run{'s' if len(snap.runs) != 1 else ''}")
        if running:
            text.append(f" ({running} running)", style="green")
        if view.selected_run:
            text.append("  ·  run ")
            text.append(inert(view.selected_run, 40), style="bold")
        scanning = scan_label(snap)
        if scanning:
            text.append("  ·  ")
            text.append(inert(scanning, 120), style="bold yellow")
        if view.waiting_for and not snap.runs:
            text.append("  ·  waiting for logs in ", style="italic")
            text.append(inert(", ".join(view.waiting_for), 120), style="bold italic")
        if view.supervisor is not None:
            text.append("  ·  ")
            text.append_text(supervisor_line(view.supervisor))
        for problem in problems[-1:]:
            text.append("  ·  ")
            text.append(inert(problem, 120), style="red")
        if view.paused:
            text.append("  ·  ")
            text.append(" PAUSED (p to resume) ", style="bold reverse yellow")
        self.update(text)


class EvalmonApp(App[int]):
    """The dashboard. Give it a feed; it never touches files, GPUs or processes itself."""

    CSS_PATH = "evalmon.tcss"
    TITLE = "evalmon"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("p", "toggle_pause", "Pause"),
        Binding("slash", "filter", "Filter log", key_display="/"),
        Binding("n", "next_run", "Next run"),
        Binding("N", "previous_run", "Prev run", key_display="N"),
        Binding("g", "toggle_panel('gpu')", "GPU", show=False),
        Binding("l", "toggle_panel('log')", "Log", show=False),
        Binding("e", "toggle_panel('events')", "Events", show=False),
        Binding("c", "toggle_panel('charts')", "Charts", show=False),
        Binding("s", "toggle_panel('side')", "Processes", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        feed: Feed,
        *,
        baseline: float | None = None,
        gpu_enabled: bool = True,
        refresh_interval_s: float = 0.25,
        sources_label: str = "",
        initial_run: str | None = None,
        pump: bool = True,
    ) -> None:
        super().__init__()
        self.feed = feed
        self.baseline = baseline
        self.gpu_enabled = gpu_enabled
        self.refresh_interval_s = refresh_interval_s
        self.sources_label = sources_label
        self.selected_run: str | None = initial_run
        self.paused = False
        self.frames = 0  # views drawn (tests wait on it)
        self.problems: list[str] = []
        self._pump_enabled = pump
        self._latest: FeedData | None = None
        self._view: DashboardView | None = None
        self._wake = threading.Event()
        self._side_wanted = True
        self._user_chose = initial_run is not None

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Vertical(id="body"):
            with Horizontal(id="top"):
                yield RunsTable(id="runs", classes="panel")
                yield ProgressPanel(id="progress", classes="panel")
            with Horizontal(id="charts"):
                yield ThroughputChart(id="throughput", classes="panel")
                yield EngineBatchChart(id="engine", classes="panel")
                yield HistogramPanel(id="histogram", classes="panel")
                yield GpuPanel(id="gpu", classes="panel")
            with Horizontal(id="bottom"):
                yield LogPanel(id="log", classes="panel")
                yield EventsTable(id="events", classes="panel")
                with Vertical(id="side"):
                    yield AttemptsTable(id="attempts", classes="panel")
                    yield ProcessesTable(id="processes", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#gpu").display = self.gpu_enabled
        self.query_one("#attempts").display = False
        self.query_one("#runs", RunsTable).focus()
        try:
            self.feed.start()
        except Exception as exc:  # a source that cannot start is shown, not raised
            self.problems.append(f"could not start: {exc}")
        self._render_view(FeedData(EMPTY_SNAPSHOT, 0.0))
        if self._pump_enabled:
            self._pump()

    def on_unmount(self) -> None:
        self._wake.set()
        with contextlib.suppress(Exception):  # stopping must never become a traceback
            self.feed.stop()

    # ------------------------------------------------------------------ data in

    @work(thread=True, exclusive=True, group="pump", exit_on_error=False)
    def _pump(self) -> None:
        """Read the feed off the UI thread a few times a second and hand it over."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            try:
                data = self.feed.view_data()
            except Exception as exc:
                data = None
                self.problems.append(f"feed error: {exc!r}")
            if data is not None:
                try:
                    self.call_from_thread(self._receive, data)
                except RuntimeError:  # the app is shutting down
                    return
            self._wake.wait(self.refresh_interval_s)
            self._wake.clear()

    def pull(self) -> None:
        """Read the feed now, on this thread (tests and a StaticFeed)."""
        self._receive(self.feed.view_data())

    def _receive(self, data: FeedData) -> None:
        self._latest = data
        if self.paused:
            if self._view is not None:
                self.query_one(StatusLine).show(self._view, self.problems)
            return
        self._render_view(data)

    # ------------------------------------------------------------------ drawing

    def _make_view(self, data: FeedData) -> DashboardView:
        runs = data.snapshot.runs
        if (not self._user_chose or self.selected_run is None
                or data.snapshot.run(self.selected_run) is None):
            # until the user picks a run, follow the newest running one as runs appear
            self.selected_run = default_run(runs)
        run = data.snapshot.run(self.selected_run) if self.selected_run else None
        self.feed.select_files(run.files if run else ())
        return DashboardView(
            snapshot=data.snapshot,
            selected_run=self.selected_run,
            baseline=self.baseline,
            now=data.now,
            wall=data.wall,
            supervisor=data.supervisor,
            gpu_enabled=self.gpu_enabled,
            waiting_for=data.waiting_for,
            tail=data.tail,
            tail_version=data.tail_version,
            paused=self.paused,
            sources_label=self.sources_label,
        )

    def _render_view(self, data: FeedData) -> None:
        view = self._make_view(data)
        self._view = view
        attempts = self.query_one("#attempts")
        attempts.display = view.supervisor is not None
        # processes and attempts only exist for a supervised job: give their room to the log
        side = self.query_one("#side")
        side.display = self._side_wanted and (
            view.supervisor is not None or bool(view.snapshot.processes)
        )
        for panel in self._panels():
            if not panel.display and panel.id not in ("attempts", "processes"):
                continue
            try:
                panel.update_view(view)  # type: ignore[attr-defined]
            except Exception as exc:  # one broken panel must not take the screen down
                message = f"{panel.id} panel: {type(exc).__name__}: {exc}"
                if message not in self.problems:
                    self.problems.append(message)
                    self.log.error(message)
        self.query_one(StatusLine).show(view, self.problems)
        self.frames += 1

    def _panels(self) -> Iterable[Widget]:
        for panel_id in ("runs", "progress", "throughput", "engine", "histogram", "gpu",
                         "log", "events", "attempts", "processes"):
            yield self.query_one(f"#{panel_id}")

    def _redraw(self) -> None:
        if self._latest is not None and not self.paused:
            self._render_view(self._latest)

    # ------------------------------------------------------------------ selection

    def select_run(self, run_id: str) -> None:
        self._user_chose = True
        if run_id == self.selected_run:
            return
        self.selected_run = run_id
        if self._latest is not None:
            run = self._latest.snapshot.run(run_id)
            self.feed.select_files(run.files if run else ())
        self._redraw()
        self._wake.set()  # fetch the new run's log tail at once

    def on_runs_table_run_chosen(self, message: RunsTable.RunChosen) -> None:
        self.select_run(message.run_id)

    def _step_run(self, step: int) -> None:
        if self._latest is None or not self._latest.snapshot.runs:
            return
        ids = [r.id for r in self._latest.snapshot.runs]
        index = ids.index(self.selected_run) if self.selected_run in ids else -1
        self.select_run(ids[(index + step) % len(ids)])
        if self.paused:
            # selection still moves while paused, so show the frozen data for the new run
            self._render_view(self._latest)

    def action_next_run(self) -> None:
        self._step_run(+1)

    def action_previous_run(self) -> None:
        self._step_run(-1)

    # ------------------------------------------------------------------ other actions

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused and self._latest is not None:
            self._render_view(self._latest)
        elif self._view is not None:
            self._view = dataclasses.replace(self._view, paused=True)
            self.query_one(StatusLine).show(self._view, self.problems)

    def action_filter(self) -> None:
        log = self.query_one(LogPanel)
        log.display = True
        log.open_filter()

    def action_toggle_panel(self, panel_id: str) -> None:
        panel = self.query_one(f"#{panel_id}")
        if panel_id == "gpu" and not self.gpu_enabled:
            self.notify("GPU sampling is off (--no-gpu)", severity="warning")
            return
        panel.display = not panel.display
        if panel_id == "side":
            self._side_wanted = panel.display
        if panel.display:
            self._redraw()

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        runs = self._latest.snapshot.runs if self._latest else ()
        for run in runs:
            yield SystemCommand(
                f"Switch to run {inert(run.id, 40)}",
                f"{run.status}, batch {run.config.batch_size or '?'}",
                lambda run_id=run.id: self.select_run(run_id),
            )
        for panel_id, name in PANELS.items():
            yield SystemCommand(
                f"Toggle panel: {name}", f"show or hide the {name} panel",
                lambda panel_id=panel_id: self.action_toggle_panel(panel_id),
            )
        yield SystemCommand("Pause / resume", "freeze the screen (ingest goes on)",
                            self.action_toggle_pause)
        yield SystemCommand("Filter the log", "show only log lines containing a text",
                            self.action_filter)


def run_dashboard(
    paths: list[str],
    *,
    supervisor: Any = None,
    baseline: float | None = None,
    stall_after_s: float = 120.0,
    poll_interval_s: float = 0.25,
    gpu: bool = True,
    gpu_interval_s: float = 1.0,
    monitor: Any = None,
) -> int:
    """Run the dashboard over ``paths`` until the user quits; returns the exit status.
    ``monitor``: an :class:`evalmon.pipeline.Monitor` already reading ``paths`` (``evalmon
    run`` shares its supervisor's); it keeps running when the dashboard closes."""
    feed = LiveFeed(
        paths,
        stall_after_s=stall_after_s,
        poll_interval_s=poll_interval_s,
        gpu=gpu,
        gpu_interval_s=gpu_interval_s,
        supervisor=supervisor,
        monitor=monitor,
    )
    app = EvalmonApp(
        feed,
        baseline=baseline,
        gpu_enabled=gpu,
        refresh_interval_s=max(0.1, min(poll_interval_s, 0.5)),
        sources_label=" ".join(paths),
    )
    result = app.run()
    return int(result or 0)
