"""The live dashboard: ``EvalmonApp`` draws snapshots; ``run_dashboard`` wires it to the logs.

Ingest and render are decoupled: sources feed the state on their own threads, and a
background pump reads one consistent :class:`~evalmon.pipeline.FeedData` a few times a
second and hands it to the UI thread, which only draws. Nothing here reads a file or the GPU.

The screen adapts to the terminal (``evalmon/ui/layout.py``): three bands on a full screen,
two columns on half a screen, one view at a time (tabs, keys 1-6) on an 80x24 terminal. Two
lines on top say what matters now at every size: the selected run's rate, ETA and worst
problem, and what the supervisor did (``OOM at batch 256 → relaunched at 128``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.markup import escape
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static, Tab, Tabs
from textual.worker import get_current_worker

from evalmon.events import Alert
from evalmon.pipeline import Feed, FeedData, LiveFeed
from evalmon.state.model import RunView, Snapshot
from evalmon.supervisor import control as retune_mod
from evalmon.supervisor.control import Retune
from evalmon.supervisor.model import stop_reason
from evalmon.terminal import detach_from_terminal, terminal_gone
from evalmon.ui import layout
from evalmon.ui.help import HelpScreen
from evalmon.ui.inert import inert
from evalmon.ui.panels.attempts import AttemptsTable
from evalmon.ui.panels.attempts import wanted_height as attempts_height
from evalmon.ui.panels.engine import EngineChart, EnginePanel, panel_rows
from evalmon.ui.panels.events import EventsTable
from evalmon.ui.panels.gpu import GpuPanel
from evalmon.ui.panels.logview import LogPanel
from evalmon.ui.panels.now import NowPanel
from evalmon.ui.panels.processes import ProcessesTable
from evalmon.ui.panels.progress import ProgressPanel, progress_rows
from evalmon.ui.panels.runs import RunsTable
from evalmon.ui.panels.throughput import ThroughputChart
from evalmon.ui.retune import RetuneScreen, attempt_run, change_text
from evalmon.ui.view import EMPTY_SNAPSHOT, DashboardView

#: toggle name -> (panels it shows or hides, name in the command palette)
TOGGLES: dict[str, tuple[tuple[str, ...], str]] = {
    "charts": (("throughput", "engine", "histogram"), "charts (throughput, engine batches)"),
    "gpu": (("gpu",), "GPU"),
    "log": (("log",), "log"),
    "events": (("events",), "events"),
    "side": (("attempts", "processes"), "processes and attempts"),
}
#: the focused layout's view a toggle key opens instead
TOGGLE_VIEWS = {"charts": "progress", "gpu": "gpu", "log": "log", "events": "events",
                "side": "gpu"}
#: exit statuses of the dashboard: the user's Ctrl-C, SIGTERM, SIGHUP (128 + signal number)
EXIT_CTRL_C = 128 + signal.SIGINT


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
    """One line on top: what is watched, how many runs, scan progress, pause."""

    def show(self, view: DashboardView, problems: Sequence[str] = ()) -> None:
        snap = view.snapshot
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" evalmon ", style="bold reverse")
        if view.sources_label:
            text.append("  ")
            text.append(inert(view.sources_label, 80), style="bold")
        running = sum(1 for r in snap.runs if r.status == "running")
        text.append(f"  ·  {len(snap.runs)} run{'s' if len(snap.runs) != 1 else ''}")
        if running:
            text.append(f" ({running} running)", style="green")
        scanning = scan_label(snap)
        if scanning:
            text.append("  ·  ")
            text.append(inert(scanning, 120), style="bold yellow")
        if view.waiting_for and not snap.runs:
            before, after = view.waiting_words()
            text.append(f"  ·  {before}", style="italic")
            text.append(inert(", ".join(view.waiting_for), 120), style="bold italic")
            text.append(after, style="italic")
        if view.paused:
            text.append("  ·  ")
            text.append(" PAUSED (p to resume) ", style="bold reverse yellow")
        self.update(text)


class Body(Container):
    """The panels, placed on a grid that :meth:`EvalmonApp.relayout` computes."""

    def on_resize(self, event: events.Resize) -> None:
        self.app.call_later(self.app.relayout)  # type: ignore[attr-defined]


class EvalmonApp(App[int]):
    """The dashboard. Give it a feed; it never touches files, GPUs or processes itself."""

    CSS_PATH = "evalmon.tcss"
    TITLE = "evalmon"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        # Ctrl-C: "Stop job" under evalmon run / demo (in the footer), otherwise quit
        Binding("ctrl+c", "interrupt", "Stop job", priority=True),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("n", "next_run", "Next run"),
        Binding("N", "previous_run", "Prev run", key_display="N", show=False),
        Binding("slash", "filter", "Filter log", key_display="/"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("p", "toggle_pause", "Pause"),
        # under evalmon run: relaunch the job now at another batch size / concurrency
        Binding("r", "retune", "Relaunch"),
        Binding("a", "apply_advice", "Apply advice", show=False),
        Binding("g", "toggle_panel('gpu')", "GPU", show=False),
        Binding("l", "toggle_panel('log')", "Log", show=False),
        Binding("e", "toggle_panel('events')", "Events", show=False),
        Binding("c", "toggle_panel('charts')", "Charts", show=False),
        Binding("s", "toggle_panel('side')", "Processes", show=False),
        *(Binding(str(i), f"show_view('{name}')", label, show=False)
          for i, (name, label) in enumerate(layout.VIEWS, start=1)),
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
        stop_job: Callable[..., None] | None = None,
        screenshot_dir: str | None = None,
        handle_signals: bool = False,
        retuner: Any = None,
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
        self.mode: layout.Mode = "wide"
        self.current_view = "runs"
        self.stop_job = stop_job
        #: the supervisor's preview_retune / retune (evalmon run), or None
        self.retuner = retuner
        self.screenshot_dir = screenshot_dir
        self.saved_screenshots: list[str] = []
        #: the signal that ended the dashboard (SIGTERM, SIGHUP ...), if one did
        self.stop_signal: int | None = None
        self._handle_signals = handle_signals
        self._signals_installed: list[int] = []
        self._pump_enabled = pump
        self._latest: FeedData | None = None
        self._view: DashboardView | None = None
        self._wake = threading.Event()
        self._hidden: set[str] = set()  # toggles the user turned off
        self._user_chose = initial_run is not None
        self._layout_key: object = None
        self._stale: set[str] = set()  # panels hidden when a view came, redrawn when shown

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        yield NowPanel(id="now")
        yield Tabs(*(Tab(f"{i} {label}", id=f"tab-{name}")
                     for i, (name, label) in enumerate(layout.VIEWS, start=1)), id="views")
        with Body(id="body"):
            yield RunsTable(id="runs", classes="panel")
            yield ProgressPanel(id="progress", classes="panel")
            yield ThroughputChart(id="throughput", classes="panel")
            yield EngineChart(id="engine", classes="panel")
            yield EnginePanel(id="histogram", classes="panel")
            yield GpuPanel(id="gpu", classes="panel")
            yield LogPanel(id="log", classes="panel")
            yield EventsTable(id="events", classes="panel")
            yield AttemptsTable(id="attempts", classes="panel")
            yield ProcessesTable(id="processes", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#runs", RunsTable).focus()
        if self._handle_signals:
            self._install_signal_handlers()
            # a terminal can vanish without a signal we act on (nohup ignores SIGHUP)
            self.set_interval(1.0, self._check_terminal)
        try:
            self.feed.start()
        except Exception as exc:  # a source that cannot start is shown, not raised
            self.problems.append(f"could not start: {exc}")
        self._render_view(FeedData(EMPTY_SNAPSHOT, 0.0))
        self.relayout()
        if self._pump_enabled:
            self._pump()

    def on_unmount(self) -> None:
        self._wake.set()
        self._remove_signal_handlers()
        with contextlib.suppress(Exception):  # stopping must never become a traceback
            self.feed.stop()

    def _needs(self, mode: layout.Mode, width: int) -> layout.Needs:
        view = self._view
        if view is None:
            return layout.Needs()
        # the attempts panel's width in each layout, for its wrapped reasons
        side = {"wide": width // 4, "columns": width // 2}.get(mode, width) - 4
        run = view.run
        return layout.Needs(
            runs=max(4, len(view.snapshot.runs) + 3),
            # the progress panel's width in each layout (3:2 beside the runs when wide)
            progress=progress_rows(view, {"wide": width * 2 // 5, "columns": width // 2}
                                   .get(mode, width) - 4),
            attempts=attempts_height(view.supervisor, side),
            histogram=panel_rows(run),
            gpu=4 if not view.snapshot.gpus else 2 + 9 * len(view.snapshot.gpus),
            processes=bool(view.snapshot.processes),
        )

    def _existing(self) -> set[str]:
        """The panels that have something to show here."""
        panels = set(layout.PANEL_IDS)
        view = self._view
        supervised = view is not None and view.supervisor is not None
        if not supervised:
            panels.discard("attempts")
        if view is None or not view.snapshot.processes:
            panels.discard("processes")
        return panels

    def visible_panels(self, mode: layout.Mode, width: int) -> frozenset[str]:
        existing = self._existing()
        if mode == "focused":
            panels = layout.view_panels(self.current_view, width) & existing
            if self.current_view == "gpu":
                panels |= {"gpu"}  # says why there is no GPU, or that sampling is off
            return frozenset(panels or {"runs"})
        if not self.gpu_enabled:
            existing.discard("gpu")
        for toggle in self._hidden:
            existing -= set(TOGGLES[toggle][0])
        return frozenset(existing - layout.NOT_IN[mode])

    def relayout(self) -> None:
        """Place the panels for the terminal's size, the view and the toggles."""
        try:
            body = self.query_one("#body", Body)
        except Exception:
            return  # not composed yet, or shutting down
        width, height = body.size
        if width <= 0 or height <= 0:
            return
        mode = layout.mode_for(self.size.width, self.size.height)
        visible = self.visible_panels(mode, width)
        needs = self._needs(mode, width)
        key = (width, height, mode, self.current_view, visible, needs)
        if key == self._layout_key:
            return
        self._layout_key = key
        if mode != self.mode:
            self.mode = mode
            self.refresh_bindings()
        for name in ("wide", "columns", "focused"):
            self.screen.set_class(name == mode, f"-{name}")
        rects = layout.tile(layout.layout_tree(mode, self.current_view, width, height, needs),
                            width, height, visible)
        plan = layout.grid_plan(rects)
        for panel in self._panels():
            panel.display = panel.id in rects
        for name in plan.order:  # a grid places its children in DOM order
            widget = self.query_one(f"#{name}")
            if body.children[-1] is not widget:
                body.move_child(widget, after=body.children[-1])
        body.styles.grid_size_columns = max(1, len(plan.columns))
        body.styles.grid_columns = " ".join(map(str, plan.columns)) or "1fr"
        body.styles.grid_rows = " ".join(map(str, plan.rows)) or "1fr"
        for name, (columns, rows) in plan.spans.items():
            panel = self.query_one(f"#{name}")
            panel.styles.column_span = columns
            panel.styles.row_span = rows
        self._redraw_hidden_panels(visible)
        focused = self.focused
        if focused is None or not self._shown(focused):
            self._focus_first(plan.order)

    def _shown(self, widget: Widget) -> bool:
        node: Widget | None = widget
        while node is not None and node is not self.screen:
            if not node.display:
                return False
            node = node.parent  # type: ignore[assignment]
        return True

    def _focus_first(self, order: Sequence[str]) -> None:
        for name in order:
            panel = self.query_one(f"#{name}")
            target = panel if panel.can_focus else next(
                (w for w in panel.query("*") if w.can_focus and w.display), None)
            if target is not None:
                target.focus()
                return

    def _redraw_hidden_panels(self, visible: frozenset[str]) -> None:
        """Panels skipped while hidden catch up when they appear."""
        if self._view is None:
            return
        for panel in self._panels():
            if panel.id in visible and panel.id in self._stale:
                self._stale.discard(panel.id or "")
                self._update_panel(panel, self._view)

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
            followed=data.followed,
            tail=data.tail,
            tail_version=data.tail_version,
            paused=self.paused,
            sources_label=self.sources_label,
        )

    def _render_view(self, data: FeedData) -> None:
        view = self._make_view(data)
        self._view = view
        self.relayout()
        for panel in self._panels():
            if not panel.display:
                self._stale.add(panel.id or "")
                continue
            self._update_panel(panel, view)
        self.query_one(StatusLine).show(view, self.problems)
        self.query_one(NowPanel).show(view, self.problems)
        self.frames += 1

    def _update_panel(self, panel: Widget, view: DashboardView) -> None:
        try:
            panel.update_view(view)  # type: ignore[attr-defined]
        except Exception as exc:  # one broken panel must not take the screen down
            message = f"{panel.id} panel: {type(exc).__name__}: {exc}"
            if message not in self.problems:
                self.problems.append(message)
                self.log.error(message)

    def _panels(self) -> Iterable[Widget]:
        for panel_id in layout.PANEL_IDS:
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

    # ------------------------------------------------------------------ views and panels

    def action_show_view(self, name: str) -> None:
        """Show one of the focused layout's views (the keys 1-6 and the tabs)."""
        if name not in dict(layout.VIEWS):
            return
        tabs = self.query_one("#views", Tabs)
        if tabs.active != f"tab-{name}":
            tabs.active = f"tab-{name}"  # posts TabActivated, which lands in _set_view
        self._set_view(name)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        if event.tab is not None and event.tab.id:
            self._set_view(event.tab.id.removeprefix("tab-"))

    def _set_view(self, name: str) -> None:
        if name == self.current_view:
            return
        self.current_view = name
        self.relayout()
        if self.mode == "focused":
            order = [n for n in layout.PANEL_IDS if n in layout.view_panels(name, self.size.width)]
            self._focus_first(order)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "interrupt":
            return self.stop_job is not None  # without a job, Ctrl-C is the plain quit
        if action in ("retune", "apply_advice"):
            return self.retuner is not None  # no supervised job: nothing to relaunch
        return True

    def action_toggle_panel(self, toggle: str) -> None:
        if self.mode == "focused":
            self.action_show_view(TOGGLE_VIEWS[toggle])
            return
        if toggle == "gpu" and not self.gpu_enabled:
            self.notify("GPU sampling is off (--no-gpu)", severity="warning")
            return
        if toggle == "side" and not ({"attempts", "processes"} & self._existing()):
            self.notify("no supervised job: processes and attempts are shown under evalmon run "
                        "and evalmon demo", severity="information")
            return
        if toggle in self._hidden:
            self._hidden.discard(toggle)
        else:
            self._hidden.add(toggle)
        self.relayout()
        self._redraw()

    # ------------------------------------------------------------------ other actions

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused and self._latest is not None:
            self._render_view(self._latest)
        elif self._view is not None:
            self._view = dataclasses.replace(self._view, paused=True)
            self.query_one(StatusLine).show(self._view, self.problems)

    def action_filter(self) -> None:
        if self.mode == "focused":
            self.action_show_view("log")
        elif "log" in self._hidden:
            self._hidden.discard("log")
            self.relayout()
        self.query_one(LogPanel).open_filter()

    def action_clear_filter(self) -> None:
        """Esc: clear the log filter, wherever the focus is."""
        log = self.query_one(LogPanel)
        if log.filtering:
            log.clear_filter()

    def action_interrupt(self) -> None:
        """Ctrl-C under a supervisor: stop the job cleanly and exit (130)."""
        if self.stop_job is not None:
            with contextlib.suppress(Exception):
                self.stop_job(stop_reason(signal.SIGINT))
        self.exit(EXIT_CTRL_C)

    # ------------------------------------------------------------------ live re-tuning

    def action_retune(self, batch: int | None = None, concurrent: int | None = None,
                      advice: str = "", why: str = "by the user") -> None:
        """r: ask for new values, show what will happen, relaunch on confirmation."""
        if self.retuner is None:
            return
        status = self._latest.supervisor if self._latest else None
        current = status.current if status is not None else None
        if status is None or current is None or status.finished:
            self.notify("no attempt is running: nothing to relaunch", severity="warning")
            return
        now_nc = retune_mod.concurrency_after(status.attempts) or \
            retune_mod.command_concurrency(status.command)
        said = (f"attempt {current.number} ({current.job_label}) runs at batch "
                f"{current.batch_size if current.batch_size is not None else '?'}, "
                f"num_concurrent {now_nc if now_nc is not None else '?'}")
        screen = RetuneScreen(
            self.retuner.preview_retune, current=said,
            batch=batch if batch is not None else current.batch_size,
            concurrent=concurrent if concurrent is not None else now_nc,
            advice=advice, why=why, now=(current.batch_size, now_nc),
        )
        self.push_screen(screen, self._send_retune)

    def _attempt_running(self) -> bool:
        """An attempt of the supervised job is running now (a relaunch has something to stop)."""
        status = self._latest.supervisor if self._latest else None
        return status is not None and status.current is not None and not status.finished

    def action_apply_advice(self) -> None:
        """a: the first advice of the running attempt that names a change, as a relaunch."""
        offers = self.advice_offers()
        if not offers:
            self.notify("no advice for the running attempt names a change a relaunch can make",
                        severity="information")
            return
        self._offer(offers[0])

    def advice_offers(self) -> list[tuple[str, Alert]]:
        """(title, advice) for each advice of the running attempt's run that names a change."""
        if self.retuner is None or self._latest is None:
            return []
        run = attempt_run(self._latest.snapshot, self._latest.supervisor)
        if run is None:
            return []
        return [(f"relaunch at {change_text(a)}", a) for a in run.alerts if a.change]

    def _offer(self, offer: tuple[str, Alert]) -> None:
        _, alert = offer
        change = dict(alert.change)
        self.action_retune(change.get("batch_size"), change.get("num_concurrent"),
                           advice=alert.message, why=f"on advice ({alert.kind})")

    def _send_retune(self, request: Retune | None) -> None:
        if request is None or self.retuner is None:
            return
        try:
            done = self.retuner.retune(request)
        except Exception as exc:  # never a traceback on the screen
            self.notify(f"relaunch not asked: {exc}", severity="error", markup=False)
            return
        if done.ok:
            self.notify(f"relaunching at {request.describe()}: the running attempt is being "
                        "stopped", title="Relaunch", markup=False)
        else:
            self.notify(f"relaunch not asked: {done.error}", severity="error", markup=False)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen())

    def get_driver_class(self) -> type[Any]:
        base = super().get_driver_class()
        if base.__name__ == "LinuxDriver":  # a real terminal (not the web, not headless tests)
            return tolerant_driver(base)
        return base

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """Save the screen as SVG in the current folder (or the log folder), and say where.

        Textual's default is ~/Downloads, which a GPU server seldom has.
        """
        if self.is_web:  # textual-serve: the browser downloads it
            return super().deliver_screenshot(filename, path, time_format)
        folder = path or self.screenshot_dir or screenshot_folder(())
        try:
            saved = self.save_screenshot(filename, folder, time_format)
        except OSError as exc:
            self.notify(f"could not save a screenshot in {folder}: {exc.strerror or exc}",
                        title="Screenshot", severity="error", markup=False)
            return None
        saved = os.path.abspath(saved)
        self.saved_screenshots.append(saved)
        self.notify(f"saved {saved}", title="Screenshot", markup=False)
        return None

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        runs = self._latest.snapshot.runs if self._latest else ()
        for run in runs:
            # run ids come from file names: shown inert, and escaped for the palette's markup
            yield SystemCommand(
                f"Switch to run {escape(inert(run.id, 40))}",
                escape(f"{run.status}, batch {inert(run.config.batch_size or '?', 20)}"),
                lambda run_id=run.id: self.select_run(run_id),
            )
        for toggle, (_, name) in TOGGLES.items():
            yield SystemCommand(
                f"Toggle panel: {name}", f"show or hide the {name} panel",
                lambda toggle=toggle: self.action_toggle_panel(toggle),
            )
        for i, (view, label) in enumerate(layout.VIEWS, start=1):
            yield SystemCommand(
                f"View: {label}", f"small terminals: show the {label} view (key {i})",
                lambda view=view: self.action_show_view(view),
            )
        if self.retuner is not None and self._attempt_running():
            yield SystemCommand(
                "Relaunch now at another batch size or concurrency",
                "stop the running attempt and start the next at new values, resuming from "
                "lm-eval's cache (key r)", self.action_retune,
            )
            for title, alert in self.advice_offers():
                yield SystemCommand(
                    escape(f"Apply advice: {title}"), escape(inert(alert.message, 200)),
                    lambda offer=(title, alert): self._offer(offer),
                )
        yield SystemCommand("Pause / resume", "freeze the screen (reading goes on)",
                            self.action_toggle_pause)
        yield SystemCommand("Filter the log", "show only log lines containing a text",
                            self.action_filter)

    # ------------------------------------------------------------------ signals

    def _install_signal_handlers(self) -> None:
        """SIGTERM, SIGHUP (a closed terminal) and SIGINT end the dashboard as Ctrl-C does:
        the job (if any) is stopped cleanly, and the terminal is restored on the way out.
        A signal ignored when evalmon started (``nohup``) stays ignored."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            if signal.getsignal(signum) is signal.SIG_IGN:
                continue
            try:
                loop.add_signal_handler(signum, self._on_signal, signum)
            except (NotImplementedError, RuntimeError, ValueError):
                continue
            self._signals_installed.append(signum)

    def _remove_signal_handlers(self) -> None:
        with contextlib.suppress(RuntimeError):
            loop = asyncio.get_running_loop()
            for signum in self._signals_installed:
                with contextlib.suppress(Exception):
                    loop.remove_signal_handler(signum)
        self._signals_installed.clear()

    def _check_terminal(self) -> None:
        if self.stop_signal is None and terminal_gone():
            if signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
                self.exit(0)  # nohup: the dashboard ends, supervision goes on without it
            else:
                self._on_signal(signal.SIGHUP)

    def _on_signal(self, signum: int) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum
        if self.stop_job is not None:
            with contextlib.suppress(Exception):
                self.stop_job(stop_reason(signum))
        self.exit(128 + signum)


class _TolerantOutput:
    """Textual's writer thread writes the screen to this instead of the terminal's stream.

    When the terminal vanishes, a write raises EIO and Textual's writer thread dies; its
    bounded queue then fills, and the app's shutdown blocks forever writing "leave the
    alternate screen" (seen after `tmux kill-server`: the job was stopped, but evalmon hung).
    Here a failed write drops the output instead: there is nobody left to see it."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return int(self._stream.write(text) or 0)
            except (OSError, ValueError):
                self.broken = True
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self.broken = True

    def fileno(self) -> int:
        return int(self._stream.fileno())

    def isatty(self) -> bool:
        return True


def tolerant_driver(base: type) -> type:
    """``base`` (Textual's terminal driver) writing through :class:`_TolerantOutput`."""
    if not hasattr(base, "start_application_mode"):
        return base

    class TolerantDriver(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if getattr(self, "_file", None) is not None:
                self._file = _TolerantOutput(self._file)

    TolerantDriver.__name__ = f"Tolerant{base.__name__}"
    return TolerantDriver


def screenshot_folder(paths: Sequence[str]) -> str:
    """Where the palette's Screenshot goes: the current folder, else the first log folder
    given, else the temporary folder (all must be writable)."""
    candidates = [os.getcwd()]
    candidates += [p for p in paths if os.path.isdir(p)]
    candidates += [os.path.dirname(os.path.abspath(p)) for p in paths if os.path.isfile(p)]
    candidates.append(tempfile.gettempdir())
    for folder in candidates:
        if os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return tempfile.gettempdir()


@contextlib.contextmanager
def _restored_signals(signums: Iterable[int]) -> Iterator[None]:
    """Python-level handlers as they were before (asyncio leaves SIG_DFL behind)."""
    saved = {}
    if threading.current_thread() is threading.main_thread():
        saved = {s: signal.getsignal(s) for s in signums}
    try:
        yield
    finally:
        for signum, handler in saved.items():
            with contextlib.suppress(Exception):
                signal.signal(signum, handler)


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

    ``q`` returns 0. Ctrl-C returns 130 and, SIGTERM / SIGHUP / SIGINT return 128 + the
    signal; under ``supervisor`` each of these has already asked it to stop the job.
    ``monitor``: an :class:`evalmon.pipeline.Monitor` already reading ``paths`` (``evalmon
    run`` shares its supervisor's); it keeps running when the dashboard closes.
    """
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
        stop_job=supervisor.stop if supervisor is not None else None,
        retuner=supervisor if hasattr(supervisor, "retune") else None,
        screenshot_dir=screenshot_folder(paths),
        handle_signals=True,
    )
    result: Any = None
    # SIGTSTP and SIGCONT too: Textual's driver sets handlers for them (Ctrl+Z) and leaves
    # them behind; a SIGCONT after the app has ended (a terminal resuming a stopped evalmon)
    # then restarts application mode with no event loop and raises in whatever evalmon is
    # doing, e.g. waiting for the job to stop: evalmon died with the record left unfinished
    with _restored_signals((signal.SIGTERM, signal.SIGHUP, signal.SIGINT,
                            signal.SIGTSTP, signal.SIGCONT)):
        try:
            result = app.run()
        except OSError:  # the terminal went away under Textual's own output
            if not terminal_gone():
                raise
    if app.stop_signal == signal.SIGHUP or terminal_gone():
        detach_from_terminal()  # nobody left to print to: later lines go to /dev/null
        if signal.getsignal(signal.SIGHUP) is signal.SIG_IGN and app.stop_signal is None:
            return 0  # nohup: the terminal closing is not a stop; the job stays supervised
        # a closed terminal: SIGHUP, or its reads failing first (the key thread's EIO ends
        # the app before the signal is handled): the same stop either way
        if supervisor is not None:
            with contextlib.suppress(Exception):
                supervisor.stop()
        return 128 + signal.SIGHUP
    for saved in app.saved_screenshots:
        with contextlib.suppress(OSError):
            print(f"evalmon: screenshot saved: {inert(saved, 400)}", file=sys.stderr)
    return int(result or 0)
