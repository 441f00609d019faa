"""The job's process tree (psutil samples): CPU %, RSS, state, age."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from evalmon import fmt
from evalmon.events import ProcSample
from evalmon.ui.inert import inert
from evalmon.ui.view import DashboardView

COLUMNS = ("PID", "Process", "CPU %", "RSS", "State", "Age")


def tree_order(procs: Sequence[ProcSample]) -> list[tuple[int, ProcSample]]:
    """(depth, process) in depth-first order; roots are processes whose parent is not listed."""
    by_pid = {p.pid: p for p in procs}
    children: dict[int, list[ProcSample]] = {}
    roots: list[ProcSample] = []
    for proc in procs:
        if proc.ppid in by_pid and proc.ppid != proc.pid:
            children.setdefault(proc.ppid, []).append(proc)
        else:
            roots.append(proc)
    ordered: list[tuple[int, ProcSample]] = []
    seen: set[int] = set()

    def walk(proc: ProcSample, depth: int) -> None:
        if proc.pid in seen:
            return
        seen.add(proc.pid)
        ordered.append((depth, proc))
        for child in sorted(children.get(proc.pid, ()), key=lambda p: p.pid):
            walk(child, depth + 1)

    for root in sorted(roots, key=lambda p: p.pid):
        walk(root, 0)
    return ordered


def process_label(proc: ProcSample) -> str:
    """The process name, with the interesting part of its command line."""
    cmd = inert(proc.cmdline, 300)
    name = inert(proc.name, 60)
    if cmd and cmd != name:
        return f"{name}  {cmd}" if not cmd.startswith(name) else cmd
    return name


#: psutil's states of a process that has exited (a zombie is one not reaped yet)
ENDED = frozenset({"zombie", "dead"})


def render_processes(procs: Sequence[ProcSample], *, all_ended: bool = False) -> RenderableType:
    table = Table(box=None, padding=(0, 1), expand=True, show_edge=False, header_style="bold")
    table.add_column("PID", justify="right", no_wrap=True)
    # the command line takes what is left and is cut, never the figures after it
    table.add_column("Process", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column("CPU %", justify="right", no_wrap=True)
    table.add_column("RSS", justify="right", no_wrap=True)
    table.add_column("State", no_wrap=True)
    table.add_column("Age", justify="right", no_wrap=True)
    for depth, proc in tree_order(procs):
        age = (proc.timestamp - proc.started_at) if proc.timestamp else None
        ended = all_ended or proc.status in ENDED
        # an exited process uses no CPU or memory: "ended", not a red "zombie" with figures
        table.add_row(
            Text(str(proc.pid)),
            Text(("  " * depth + ("└ " if depth else "")) + process_label(proc)),
            Text(fmt.DASH if ended else f"{proc.cpu_pct:.0f}"),
            Text(fmt.DASH if ended else fmt.size(proc.rss_bytes)),
            Text("ended" if ended else inert(proc.status, 20)),
            Text(fmt.duration(age)),
            style="dim" if ended else "",
        )
    return table


class ProcessesTable(VerticalScroll):
    BORDER_TITLE = "Processes"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._last: object = None

    def compose(self) -> ComposeResult:
        yield Static("", id="processes-body")

    def update_view(self, view: DashboardView) -> None:
        procs = view.snapshot.processes
        # the supervisor has seen the attempt end: its last sample (up to a second old) is of
        # processes that have exited, whatever state they were sampled in
        status = view.supervisor
        current = status.current if status is not None else None
        attempt_over = status is not None and (
            status.finished or (current is not None and current.ended_at is not None))
        key = (procs, round(view.now), attempt_over)
        if key == self._last:
            return
        self._last = key
        body = self.query_one("#processes-body", Static)
        if not procs:
            body.update(Text("no job process known (processes are sampled under evalmon run)",
                             style="dim italic"))
            self.border_subtitle = ""
            return
        live = [] if attempt_over else [p for p in procs if p.status not in ENDED]
        ended = len(procs) - len(live)
        n = len(live)
        subtitle = (f"{n} process{'es' if n != 1 else ''} · "
                    f"{sum(p.cpu_pct for p in live):.0f}% CPU · "
                    f"{fmt.size(sum(p.rss_bytes for p in live))}") if live else ""
        self.border_subtitle = " · ".join(
            part for part in (subtitle, f"{ended} ended" if ended else "") if part)
        body.update(render_processes(procs, all_ended=attempt_over))
