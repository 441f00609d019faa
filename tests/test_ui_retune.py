"""The dashboard's live re-tuning: the r key and the palette, through Textual's Pilot.

The fast tests drive the screen with a recording stand-in for the supervisor that checks
requests with the real control.preview; the slow one presses the keys against a real
Supervisor running tests/fake_eval.py, which must relaunch the job at the typed batch size.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Static

from evalmon.events import Alert
from evalmon.pipeline import Monitor, StaticFeed
from evalmon.supervisor import control
from evalmon.supervisor.launchers import LocalLauncher
from evalmon.supervisor.model import Attempt, SupervisorStatus
from evalmon.supervisor.policy import Policy
from evalmon.supervisor.record import read_record
from evalmon.supervisor.supervisor import Supervisor, SupervisorOptions
from evalmon.ui.app import EvalmonApp
from evalmon.ui.retune import RetuneScreen
from tests.test_ui_pilot import plain, run, story, text_of
from tests.waiting import wait_for

FAKE = str(Path(__file__).with_name("fake_eval.py"))
COMMAND = ("lm_eval", "run", "--model", "local-completions", "--model_args",
           "model=m,num_concurrent=1", "--batch_size", "64")


class Recorder:
    """What `evalmon run` hands the dashboard, checking requests as the real one does."""

    def __init__(self, status: SupervisorStatus) -> None:
        self.status = status
        self.asked: list[control.Retune] = []

    def facts(self) -> control.JobFacts:
        return control.JobFacts(command=COMMAND, launcher="local", policy=Policy(
            initial_batch_size=64, max_attempts=5), cache_path="/logs/.evalmon/cache/run-1")

    def preview_retune(self, request: control.Retune) -> control.Preview:
        return control.preview(request, self.status.current, self.facts(), self.status.attempts)

    def retune(self, request: control.Retune) -> control.Preview:
        checked = self.preview_retune(request)
        if checked.ok:
            self.asked.append(request)
        return checked

    def stop(self) -> None:
        pass


def status() -> SupervisorStatus:
    return SupervisorStatus(
        command=COMMAND, log_dir="logs", state="running", max_attempts=5,
        attempts=(Attempt(1, 64, started_at=0.0, pid=4200, outcome="running",
                          log_files=("logs/eval-104.out", "logs/server-104.log")),),
    )


def drive(body: Any, snapshot: Any = None, recorder: Recorder | None = None,
          size: tuple[int, int] = (200, 50)) -> Recorder:
    recorder = recorder or Recorder(status())
    feed = StaticFeed(snapshot or story(), now=1000.0, supervisor=recorder.status)
    app = EvalmonApp(feed, pump=False, retuner=recorder)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            app.pull()
            await pilot.pause()
            await body(pilot, app)

    asyncio.run(main())
    return recorder


def shown(app: EvalmonApp, selector: str) -> str:
    return plain(app.screen.query_one(selector, Static).content)


def test_r_asks_for_the_value_says_what_will_happen_and_relaunches_on_confirmation() -> None:
    async def body(pilot: Any, app: EvalmonApp) -> None:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RetuneScreen)
        assert "attempt 1 (pid 4200) runs at batch 64, num_concurrent 1" in shown(
            app, "#retune-current")
        field = app.screen.query_one("#retune-batch", Input)
        assert field.value == "64" and app.screen.query_one("#retune-go", Button).disabled
        assert "the values it runs at: change one" in shown(app, "#retune-plan")
        field.value = ""
        await pilot.press("0", "enter")  # invalid: said, and the button stays off
        await pilot.pause()
        assert "below --min-batch-size 1" in shown(app, "#retune-plan")
        assert app.screen.query_one("#retune-go", Button).disabled
        field.value = ""
        await pilot.press("1", "2", "8", "enter")  # Enter moves to the button: nothing yet
        await pilot.pause()
        plan = shown(app, "#retune-plan")
        assert "batch 64 → 128" in plan and "Attempt 1 is stopped now" in plan
        assert "resumes from lm-eval's request cache (/logs/.evalmon/cache/run-1" in plan
        assert isinstance(app.screen, RetuneScreen) and not recorder.asked
        assert app.focused is app.screen.query_one("#retune-go", Button)
        await pilot.press("enter")  # the confirmation
        await pilot.pause()
        assert not isinstance(app.screen, RetuneScreen)

    recorder = Recorder(status())
    drive(body, recorder=recorder)
    assert recorder.asked == [control.Retune(128, None)]


def test_on_an_80x24_terminal_the_whole_screen_and_its_button_show() -> None:
    async def body(pilot: Any, app: EvalmonApp) -> None:
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#retune-batch", Input).value = "128"
        await pilot.pause()
        for part in ("#retune-current", "#retune-batch", "#retune-concurrent", "#retune-plan",
                     "#retune-go", "#retune-cancel"):
            widget = app.screen.query_one(part)
            x, y = widget.region.center
            shown, _ = app.screen.get_widget_at(x, y)  # what the terminal shows there
            assert shown is widget or widget in shown.ancestors, (part, widget.region)

    drive(body, size=(80, 24))


def test_escape_cancels_and_nothing_is_asked() -> None:
    async def body(pilot: Any, app: EvalmonApp) -> None:
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#retune-concurrent", Input).value = "4"
        await pilot.pause()
        assert "num_concurrent 1 → 4" in shown(app, "#retune-plan")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RetuneScreen)

    assert drive(body).asked == []


def test_advice_that_names_a_change_is_one_action_with_a_confirmation() -> None:
    snap = story()
    headroom = Alert("info", "gpu_headroom", "GPU memory peaked at 40% on node01 GPU 0 at "
                     "batch 64: room for a larger batch", change=(("batch_size", 128),))
    mine = run("104", "running", 64, 1, 256, 5.0, alerts=(headroom,))
    snap = dataclasses.replace(snap, runs=(*snap.runs[:3], mine))

    async def body(pilot: Any, app: EvalmonApp) -> None:
        # the advice row says which key makes the change
        assert "room for a larger batch · a: relaunch at batch 128" in text_of(app, "#events")
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Relaunch now at another batch size or concurrency" in commands
        # only the running attempt's advice is offered (run 102's engine cap is another run's)
        offers = [t for t in commands if t.startswith("Apply advice")]
        assert offers == ["Apply advice: relaunch at batch 128"]
        commands[offers[0]].callback()
        await pilot.pause()
        assert isinstance(app.screen, RetuneScreen)
        assert "room for a larger batch" in shown(app, "#retune-advice")
        assert app.screen.query_one("#retune-batch", Input).value == "128"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("a")  # the same offer by its key
        await pilot.pause()
        assert isinstance(app.screen, RetuneScreen)
        assert app.screen.query_one("#retune-batch", Input).value == "128"
        await pilot.click("#retune-go")
        await pilot.pause()

    asked = drive(body, snapshot=snap).asked
    assert asked == [control.Retune(128, None, why="on advice (gpu_headroom)")]


def test_without_a_supervisor_r_does_nothing() -> None:
    async def body(pilot: Any, app: EvalmonApp) -> None:
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, RetuneScreen)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert not any("Relaunch" in t or "Apply advice" in t for t in titles)

    app = EvalmonApp(StaticFeed(story(), now=1000.0), pump=False)

    async def main() -> None:
        async with app.run_test(size=(200, 50)) as pilot:
            app.pull()
            await body(pilot, app)

    asyncio.run(main())


def test_after_the_job_ended_the_palette_offers_no_relaunch() -> None:
    ended = replace(status(), state="succeeded", attempts=(
        replace(status().attempts[0], outcome="succeeded", ended_at=60.0),))

    async def body(pilot: Any, app: EvalmonApp) -> None:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert not any("Relaunch" in t or "Apply advice" in t for t in titles), titles
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, RetuneScreen)

    drive(body, recorder=Recorder(ended))
    # and while it runs, the palette offers it
    offered: list[str] = []

    async def running(pilot: Any, app: EvalmonApp) -> None:
        offered.extend(c.title for c in app.get_system_commands(app.screen))

    drive(running)
    assert any(t.startswith("Relaunch now") for t in offered)


@pytest.mark.slow
def test_the_key_relaunches_a_real_supervised_job_at_the_typed_batch_size(tmp_path: Path) -> None:
    command = [sys.executable, FAKE, "--batch_size", "{batch_size}", "--cache", "--steps", "60",
               "--step-s", "0.15"]
    monitor = Monitor([str(tmp_path)], reduce=False)
    options = SupervisorOptions(command=command, log_dir=str(tmp_path),
                                policy=Policy(initial_batch_size=64).validate(), grace=2.0)
    supervisor = Supervisor(options, LocalLauncher(str(tmp_path)), monitor)
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(supervisor.run()))
    monitor.start()
    thread.start()
    try:
        err = tmp_path / "attempt-1.err"
        wait_for(lambda: err.exists() and re.search(r"\| [1-9]\d*/60", err.read_text()), 60,
                 "attempt 1 to answer requests")
        feed = StaticFeed(story(), now=1000.0, supervisor=supervisor.status())
        app = EvalmonApp(feed, pump=False, retuner=supervisor)

        async def main() -> None:
            async with app.run_test(size=(200, 50)) as pilot:
                app.pull()
                await pilot.press("r")
                await pilot.pause()
                app.screen.query_one("#retune-batch", Input).value = ""
                await pilot.press("1", "2", "8", "enter", "enter")
                await pilot.pause()

        asyncio.run(main())
        thread.join(120)
        assert codes == [0]
    finally:
        supervisor.stop()
        thread.join(30)
        monitor.stop()
    first, second = read_record(str(tmp_path)).sessions[-1].ordered_attempts()
    assert (first.batch_size, first.outcome, first.reason) == (
        64, "retuned", "relaunched at batch 128 by the user")
    assert (second.batch_size, second.outcome) == (128, "succeeded")
    assert re.search(r"Cached requests: [1-9]", (tmp_path / "attempt-2.err").read_text())


def test_the_supervisor_line_tells_a_retune_from_an_oom() -> None:
    from evalmon.ui.panels.attempts import supervisor_story

    story_line = supervisor_story(SupervisorStatus(
        command=COMMAND, log_dir="logs", state="running", max_attempts=6,
        attempts=(Attempt(1, 64, 0.0, ended_at=9.0, outcome="retuned", retune="batch_size=128\n"),
                  Attempt(2, 128, 10.0, pid=7, outcome="oom", ended_at=20.0, num_concurrent=None),
                  Attempt(3, 64, 21.0, pid=8, num_concurrent=4, outcome="running")),
    )).plain
    assert story_line.startswith("supervisor  retuned at batch 64 → relaunched at 128 · "
                                 "OOM at batch 128 → relaunched at 64 · attempt 3/6 running")
