"""The ``r`` screen: relaunch the supervised job now at another batch size or concurrency.

It asks for the values, checks them with the supervisor (``preview_retune``) as they are
typed, and says exactly what will happen before anything does: which attempt is stopped and
how, what the next one runs at, and which cache it resumes from. Nothing happens until the
Relaunch button is pressed (Enter in a field only moves to it): the confirmation. The screen
returns the request; the app hands it to the supervisor (``Supervisor.retune``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from evalmon.events import Alert
from evalmon.state.model import RunView, Snapshot
from evalmon.supervisor.control import ControlError, Preview, Retune
from evalmon.supervisor.model import SupervisorStatus
from evalmon.ui.inert import inert

Check = Callable[[Retune], Preview]


def request_from(batch: str, concurrent: str, why: str = "by the user",
                 now: tuple[int | None, int | None] = (None, None)) -> Retune:
    """The two fields as a request; a field left empty or at the running value (``now``)
    is not part of it."""
    values: dict[str, int | None] = {"batch_size": None, "num_concurrent": None}
    for name, text in (("batch_size", batch), ("num_concurrent", concurrent)):
        text = text.strip()
        if not text:
            continue
        if not text.isdigit() or len(text) > 9:
            label = "batch size" if name == "batch_size" else "num_concurrent"
            raise ControlError(f"{label} must be a positive whole number")
        values[name] = int(text)
    batch_size, num_concurrent = values["batch_size"], values["num_concurrent"]
    return Retune(None if batch_size == now[0] else batch_size,
                  None if num_concurrent == now[1] else num_concurrent, why=why)


class RetuneScreen(ModalScreen[Retune | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, check: Check, *, current: str, batch: int | None = None,
                 concurrent: int | None = None, advice: str = "",
                 why: str = "by the user",
                 now: tuple[int | None, int | None] = (None, None)) -> None:
        super().__init__()
        self._check = check
        self._now = now  # the running attempt's batch size and num_concurrent
        self._current = current
        self._batch = "" if batch is None else str(batch)
        self._concurrent = "" if concurrent is None else str(concurrent)
        self._advice = advice
        self._why = why
        self.request: Retune | None = None  # the checked request the button would send

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="retune-box"):  # a small terminal scrolls to the buttons
            yield Static(Text(inert(self._current, 300)), id="retune-current")
            if self._advice:
                yield Static(Text.assemble(("advice: ", "bold"), inert(self._advice, 400)),
                             id="retune-advice")
            with Horizontal(classes="retune-row"):  # one row: it fits an 80x24 terminal
                yield Label("batch size", classes="retune-label")
                yield Input(self._batch, id="retune-batch", restrict=r"[0-9]*", max_length=9,
                            placeholder="as now")
                yield Label("num_concurrent", classes="retune-label")
                yield Input(self._concurrent, id="retune-concurrent", restrict=r"[0-9]*",
                            max_length=9, placeholder="as now")
            yield Static("", id="retune-plan")
            with Horizontal(id="retune-buttons"):
                yield Button("Relaunch now", id="retune-go", variant="warning", disabled=True)
                yield Button("Cancel", id="retune-cancel")

    def on_mount(self) -> None:
        box = self.query_one("#retune-box")
        box.border_title = "Relaunch the job now"
        box.border_subtitle = "Relaunch now confirms · Esc cancels"
        self._refresh_plan()
        self.query_one("#retune-batch", Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._refresh_plan()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter reads the values; the button still has to be pressed (the confirmation)."""
        self._refresh_plan()
        if self.request is not None:
            self.query_one("#retune-go", Button).focus()

    def _refresh_plan(self) -> None:
        plan = self.query_one("#retune-plan", Static)
        button = self.query_one("#retune-go", Button)
        self.request = None
        try:
            request = request_from(self.query_one("#retune-batch", Input).value,
                                   self.query_one("#retune-concurrent", Input).value, self._why,
                                   self._now)
            if request.batch_size is None and request.num_concurrent is None:
                raise ControlError("these are the values it runs at: change one")
            checked = self._check(request)
        except ControlError as exc:
            checked = Preview(error=str(exc))
        except Exception as exc:  # a supervisor gone away: said, never raised
            checked = Preview(error=f"cannot check: {exc}")
        if checked.ok:
            self.request = request
            plan.update(Text.assemble(("what will happen: ", "bold"), inert(checked.plan, 800)))
            plan.set_class(False, "-error")
        else:
            plan.update(Text(inert(checked.error, 300)))
            plan.set_class(True, "-error")
        button.disabled = self.request is None

    @on(Button.Pressed, "#retune-go")
    def _go(self) -> None:
        self._refresh_plan()  # checked again: the job may have moved on
        if self.request is not None:
            self.dismiss(self.request)

    @on(Button.Pressed, "#retune-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def attempt_run(snapshot: Snapshot, status: SupervisorStatus | None) -> RunView | None:
    """The run the supervisor's running attempt writes (its own log files), if any."""
    current = status.current if status is not None else None
    if current is None or status.finished or current.ended_at is not None:
        return None
    own = {os.path.normpath(os.path.abspath(p)) for p in current.log_files}
    for run in snapshot.runs:
        if own & {os.path.normpath(os.path.abspath(p)) for p in run.files}:
            return run
    return None


def change_text(alert: Alert) -> str:
    """``batch 64`` / ``num_concurrent 1``: the change an advice names."""
    names = {"batch_size": "batch", "num_concurrent": "num_concurrent"}
    return ", ".join(f"{names.get(k, k)} {v}" for k, v in alert.change)
