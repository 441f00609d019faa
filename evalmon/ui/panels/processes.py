"""The job's process tree (psutil samples): CPU %, RSS, state, age."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from evalmon import fmt
from evalmon.events import ProcSample
from evalmon.ui.inert import inert, inert_text
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


class ProcessesTable(DataTable):
    BORDER_TITLE = "Processes"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._last: object = None

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS)

    def update_view(self, view: DashboardView) -> None:
        procs = view.snapshot.processes
        key = (procs, round(view.now))
        if key == self._last:
            return
        self._last = key
        self.clear()
        if not procs:
            self.border_subtitle = "no job process known"
            return
        total_cpu = sum(p.cpu_pct for p in procs)
        total_rss = sum(p.rss_bytes for p in procs)
        self.border_subtitle = f"{len(procs)} procs · {total_cpu:.0f}% CPU · {fmt.size(total_rss)}"
        for depth, proc in tree_order(procs):
            age = (proc.timestamp - proc.started_at) if proc.timestamp else None
            state_style = "red" if proc.status in ("zombie", "dead") else ""
            self.add_row(
                Text(str(proc.pid), justify="right"),
                inert_text(("  " * depth + ("└ " if depth else "")) + process_label(proc),
                           max_chars=120),
                Text(f"{proc.cpu_pct:.0f}", justify="right"),
                Text(fmt.size(proc.rss_bytes), justify="right"),
                Text(proc.status, style=state_style),
                Text(fmt.duration(age), justify="right"),
            )
