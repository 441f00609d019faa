"""The ``?`` screen: evalmon's own keys first, with what they do to a supervised job, then the
keys of the widgets (tables, log)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

#: (keys, what they do); the app's own keys, most used first
KEYS: tuple[tuple[str, str], ...] = (
    ("q", "close the dashboard. Under evalmon run / evalmon demo the job goes on, still "
          "supervised, with plain progress lines; Ctrl-C then stops it"),
    ("Ctrl-C", "under evalmon run / evalmon demo: stop the job cleanly (SIGTERM to its "
               "processes, SIGKILL after --grace), record it as cancelled, and exit; "
               "otherwise quit"),
    ("n  N", "next / previous run (or click a run)"),
    ("1 … 6", "small terminals: the Runs, Progress, Engine, GPU, Events and Log views "
              "(or click a tab)"),
    ("/", "filter the log; Enter keeps the filter, Esc clears it"),
    ("p", "pause / resume the screen (reading goes on)"),
    ("r", "under evalmon run: relaunch the job now at another batch size or num_concurrent. "
          "It asks for the values, says what will happen, and acts only on Relaunch: the "
          "running attempt is stopped (recorded as retuned) and the next resumes from "
          "lm-eval's cache"),
    ("a", "under evalmon run: apply the advice that names a change (room for a larger batch, "
          "the engine's cap, concurrency): the same relaunch screen, filled in"),
    ("g l e c s", "show / hide the GPU, log, events, charts, processes and attempts panels "
                  "(small terminals: go to that view)"),
    ("Ctrl-P", "command palette: switch run, toggle panels, relaunch, apply advice, save a "
               "screenshot (SVG, in the current folder)"),
    ("?  Esc", "open / close this help"),
)

WIDGET_KEYS: tuple[tuple[str, str], ...] = (
    ("↑ ↓  PgUp PgDn", "move in the runs table, scroll the log and the events"),
    ("Tab  Shift-Tab", "move between panels"),
)

SIGNALS = (
    "SIGTERM or SIGHUP (a closed terminal, an SSH drop) do what they do with --headless: the "
    "job is stopped cleanly and recorded as cancelled, and the terminal is restored. To keep a "
    "job running after you log out, start evalmon inside tmux or screen."
)


def help_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    table.add_row(Text("evalmon keys", style="bold underline"), "")
    for keys, what in KEYS:
        table.add_row(Text(keys, style="bold cyan"), Text(what))
    table.add_row("", "")
    table.add_row(Text("in panels", style="bold underline"), "")
    for keys, what in WIDGET_KEYS:
        table.add_row(Text(keys, style="bold cyan"), Text(what))
    table.add_row("", "")
    table.add_row(Text("signals", style="bold underline"), Text(SIGNALS))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_table(), id="help-body")

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = "Keys"
        box.border_subtitle = "Esc closes"
