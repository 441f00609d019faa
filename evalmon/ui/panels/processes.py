"""The job's process tree (psutil samples): CPU %, RSS, state, age."""

from __future__ import annotations

import os
import re
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
#: the Process column's least width: the other columns give way first
PROCESS_MIN = 16


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


#: an interpreter's name says nothing: the module or script it runs does
_INTERPRETER = re.compile(r"^((python|pypy)[\d.]*[mw]?|bash|sh|dash|zsh)$")
#: the interpreter's options that take a value (``python -X dev script.py``)
_OPTION_VALUE = frozenset(("-X", "-W", "-Q"))


def useful_command(cmdline: str) -> str:
    """The command line from its telling word: ``python -u -m lm_eval --model x`` ->
    ``lm_eval --model x``, ``/usr/bin/python3 tools/run_server.py --port 5000`` ->
    ``run_server.py --port 5000``; any other command from its program's base name."""
    words = cmdline.split()
    if not words:
        return ""
    program = os.path.basename(words[0])
    if not _INTERPRETER.match(program):
        return " ".join([program, *words[1:]])
    i = 1
    while i < len(words) and words[i].startswith("-"):
        if words[i] == "-m" and i + 1 < len(words):
            return " ".join(words[i + 1:])
        if words[i] == "-c":  # inline code: only the code says what it is
            return " ".join([program, *words[i:]])
        i += 2 if words[i] in _OPTION_VALUE else 1
    if i == len(words):
        return " ".join(words)  # the interpreter itself
    return " ".join([os.path.basename(words[i]), *words[i + 1:]])


def process_label(proc: ProcSample) -> str:
    """The telling part of the command line (the module or script a Python runs), or the
    process name when there is no command line."""
    cmd = useful_command(inert(proc.cmdline, 300))
    return cmd or inert(proc.name, 60)


#: psutil's states of a process that has exited (a zombie is one not reaped yet)
ENDED = frozenset({"zombie", "dead"})


#: columns given up, in this order, before the Process column is cut below PROCESS_MIN
_DROPPABLE = ("State", "Age", "CPU %")


def render_processes(procs: Sequence[ProcSample], *, all_ended: bool = False,
                     width: int = 0) -> RenderableType:
    """The process tree; ``width`` (cells, 0: unknown) drops State, then Age, then CPU %
    rather than squeezing the command to a few letters."""
    rows = []
    for depth, proc in tree_order(procs):
        age = (proc.timestamp - proc.started_at) if proc.timestamp else None
        ended = all_ended or proc.status in ENDED
        # an exited process uses no CPU or memory: "ended", not a red "zombie" with figures
        cells = {
            "PID": str(proc.pid),
            "Process": (" " * (depth - 1) + "└ " if depth else "") + process_label(proc),
            "CPU %": fmt.DASH if ended else f"{proc.cpu_pct:.0f}",
            "RSS": fmt.DASH if ended else fmt.size(proc.rss_bytes),
            "State": "ended" if ended else inert(proc.status, 20),
            "Age": fmt.duration(age),
        }
        rows.append((cells, "dim" if ended else ""))
    shown = list(COLUMNS)
    if width > 0:
        def room(columns: list[str]) -> int:
            others = [c for c in columns if c != "Process"]
            used = sum(max([len(c)] + [len(r[c]) for r, _ in rows]) for c in others)
            return width - used - 2 * len(columns)  # one cell of padding each side

        for column in _DROPPABLE:
            if room(shown) >= PROCESS_MIN:
                break
            shown.remove(column)
    table = Table(box=None, padding=(0, 1), expand=True, show_edge=False, header_style="bold")
    for column in shown:
        if column == "Process":
            # the command line takes what is left and is cut, never the figures after it
            table.add_column(column, ratio=1, min_width=PROCESS_MIN, no_wrap=True,
                             overflow="ellipsis")
        else:
            table.add_column(column, no_wrap=True,
                             justify="left" if column == "State" else "right")
    for cells, style in rows:
        table.add_row(*(Text(cells[c]) for c in shown), style=style)
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
        key = (procs, round(view.now), attempt_over, self.size.width)
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
        body.update(render_processes(procs, all_ended=attempt_over,
                                     width=body.content_region.width or self.size.width - 2))
