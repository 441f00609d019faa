"""The dashboard driven through Textual's Pilot with hand-made snapshots.

Each test feeds the app a known :class:`Snapshot` through a ``StaticFeed`` and asserts what
a panel shows, or that a key binding does what the footer says.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.widgets import DataTable, RichLog, Static

from evalmon.events import (
    Alert,
    GpuProcess,
    GpuSample,
    GpuUnavailable,
    OutOfMemory,
    ProcSample,
    PythonException,
    RunConfig,
)
from evalmon.pipeline import LiveFeed, StaticFeed
from evalmon.sources.logfile import RawLine
from evalmon.state.model import (
    BarView,
    EngineBatchStats,
    ExceptionRecord,
    GpuView,
    OomRecord,
    RunView,
    ScanProgress,
    Snapshot,
)
from evalmon.supervisor.model import Attempt, SupervisorStatus
from evalmon.ui.app import EvalmonApp
from evalmon.ui.help import HelpScreen

GIB = 1 << 30

# --------------------------------------------------------------------------- hand-made state


def bar(file: str, desc: str, n: float, total: float | None, *, rate: float | None = None,
        counts: str = "requests", per_unit: float = 1.0, samples_per_s: float | None = None,
        finished: bool = False, request: bool = False, remaining: float | None = None) -> BarView:
    return BarView(
        file=file, desc=desc, n=n, total=total, unit="it", rate=rate, elapsed_s=None,
        remaining_s=remaining, postfix="", counts=counts, samples_per_unit=per_unit,
        samples_done=n * per_unit if request else None, samples_per_s=samples_per_s,
        is_request_bar=request, finished=finished,
    )


def run(run_id: str, status: str, batch: int, concurrent: int, engine_max: int,
        samples_per_s: float | None, *, engine: tuple[int, ...] = (), **extra: Any) -> RunView:
    histogram: dict[int, int] = {}
    for size in engine:
        histogram[size] = histogram.get(size, 0) + 1
    ordered = sorted(engine)
    stats = EngineBatchStats(
        count=len(engine),
        min=ordered[0] if ordered else None,
        median=ordered[len(ordered) // 2] if ordered else None,
        max=ordered[-1] if ordered else None,
        at_client_batch=sum(1 for s in engine if s == batch),
        histogram=tuple(sorted(histogram.items())),
    )
    fields: dict[str, Any] = dict(
        id=run_id,
        files=(f"logs/eval-{run_id}.out", f"logs/server-{run_id}.log"),
        status=status,
        status_reason="",
        config=RunConfig(model_type="local-completions", model="megatron-gpt",
                         batch_size=str(batch), num_concurrent=concurrent,
                         tokenized_requests=concurrent > 1),
        engine_max_batch=engine_max,
        bars=(),
        samples_per_s=samples_per_s,
        samples_done=None,
        eta_s=120.0 if status == "running" else None,
        throughput_series=(),
        engine_batches=stats,
        engine_series=tuple(engine),
        http={200: 10},
        ooms=(),
        exceptions=(),
        signals=(),
        api_failures=0,
        retries=0,
        server_exceptions=0,
        cache=(),
        results=(),
        alerts=(),
        last_progress_at=None,
        lines=100,
    )
    fields.update(extra)
    return RunView(**fields)


OOM = OutOfMemory(
    kind="gpu", origin="pytorch",
    message="torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 GiB",
    bytes_tried=20 * GIB, gpu_index=0, capacity_bytes=80 * GIB, free_bytes=3 * GIB,
)


def story(*, gpu: bool = True, scanning: bool = False, running: bool = True) -> Snapshot:
    """The seed's story: 101 (batch 8), 102 (64, engine cap), 103 (256, OOM), 104 (128)."""
    r101 = run("101", "finished", 8, 1, 32, 0.75, engine=(8,) * 40,
               throughput_series=tuple((i * 60.0, 0.7 + 0.01 * (i % 5)) for i in range(20)),
               bars=(bar("logs/eval-101.out", "Requesting API", 4000, 4000, rate=0.75,
                         samples_per_s=0.75, finished=True, request=True),))
    r102 = run("102", "finished", 64, 1, 32, 5.25, engine=(32,) * 60,
               alerts=(Alert("warning", "engine_cap", "the engine caps batches at 32; raise "
                             "--inference-max-batch-size / --inference-max-requests"),))
    r103 = run("103", "oom", 256, 4, 256, None, engine=(256,),
               ooms=(OomRecord("logs/server-103.log", 187, OOM),),
               http={200: 3, 500: 12}, retries=9, api_failures=12,
               exceptions=(ExceptionRecord("logs/eval-103.out", 77, PythonException(
                   "aiohttp.client_exceptions.ClientResponseError",
                   "500, message='Internal Server Error'")),),
               status_reason="GPU out of memory in server-103.log:187")
    r104 = run("104", "running" if running else "finished", 128, 4, 128, 11.8,
               engine=(128,) * 24 + (96, 64),
               throughput_series=tuple((i * 10.0, 10 + (i % 4) * 0.6) for i in range(30)),
               alerts=(Alert("warning", "concurrency_lock",
                             "num_concurrent=4: concurrency only queues requests on this "
                             "server"),),
               bars=(bar("logs/eval-104.out", "Tokenizing inputs", 4000, 4000, rate=2100.0,
                         finished=True),
                     bar("logs/eval-104.out", "Requesting API", 21, 32, rate=0.092,
                         counts="batches", per_unit=128, samples_per_s=11.8, request=True,
                         remaining=120.0)))
    gpus: tuple[GpuView, ...] = ()
    unavailable: tuple[GpuUnavailable, ...] = ()
    if gpu:
        sample = GpuSample(
            host="node01", index=0, name="NVIDIA H100 80GB HBM3", memory_used=49 * GIB,
            memory_total=80 * GIB, utilization_pct=97, temperature_c=64, power_w=512,
            power_limit_w=700, timestamp=1000.0,
            processes=(GpuProcess(4242, 48 * GIB, "python"), GpuProcess(999, GIB, "Xorg")),
            simulated=True,
        )
        history = tuple((float(i), (20 + i % 30) * GIB) for i in range(60))
        gpus = (GpuView("node01", 0, sample, history, 61 * GIB),)
    else:
        unavailable = (GpuUnavailable("node01", "NVML library not found (libnvidia-ml.so.1)"),)
    procs = (
        ProcSample(4200, 1, "bash", "bash eval.sbatch", 0.0, 3 << 20, "sleeping", 100.0, 1000.0),
        ProcSample(4242, 4200, "python", "python tools/run_text_generation_server.py", 98.0,
                   6 * GIB, "running", 110.0, 1000.0),
    )
    return Snapshot(
        runs=(r101, r102, r103, r104), gpus=gpus, gpu_unavailable=unavailable, processes=procs,
        scanning=(ScanProgress("logs/server-103.log", 43, 100),) if scanning else (),
        warnings=(), generated_at=1000.0,
    )


TAIL = tuple(
    RawLine(i, path, text)
    for i, (path, text) in enumerate(
        [
            ("logs/eval-104.out", "INFO     [evaluator:589] Running loglikelihood requests"),
            ("logs/server-104.log", "[BATCHING DEBUG] run_mcore_engine called with 128 prompts"),
            ("logs/server-104.log", '127.0.0.1 - - [24/Nov/2026 03:00:01] "POST /completions '
                                    'HTTP/1.1" 200 -'),
            ("logs/eval-104.out", "WARNING  [models.api_models:521] API request failed! "
                                  "Status code: 500"),
            ("logs/server-104.log", "[BATCHING DEBUG] run_mcore_engine called with 96 prompts"),
        ],
        start=1,
    )
)

# --------------------------------------------------------------------------- helpers


def plain(renderable: Any, width: int = 160) -> str:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def text_of(app: EvalmonApp, selector: str) -> str:
    """What a panel shows, as plain text."""
    widget = app.query_one(selector)
    parts: list[str] = []
    if isinstance(widget, DataTable):
        for row_key in widget.rows:
            parts.append(" ".join(str(cell) for cell in widget.get_row(row_key)))
    for static in ([widget] if isinstance(widget, Static) else list(widget.query(Static))):
        parts.append(plain(static.content))
    for log in [widget] if isinstance(widget, RichLog) else list(widget.query(RichLog)):
        parts.extend(strip.text for strip in log.lines)
    return "\n".join(parts)


def drive(snapshot: Snapshot, body: Callable[[Any, EvalmonApp, StaticFeed], Awaitable[None]],
          *, size: tuple[int, int] = (200, 50), **app_args: Any) -> None:
    """Run ``body(pilot, app, feed)`` against an app showing ``snapshot``."""
    feed_args = {k: app_args.pop(k) for k in ("tail", "supervisor", "waiting_for")
                 if k in app_args}
    feed = StaticFeed(snapshot, now=1000.0, **feed_args)
    app = EvalmonApp(feed, pump=False, **app_args)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            app.pull()
            await pilot.pause()
            await body(pilot, app, feed)

    asyncio.run(main())


# --------------------------------------------------------------------------- panels


def test_runs_table_lists_every_run_with_status_and_samples_per_s() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = text_of(app, "#runs")
        for expected in ("101", "102", "103", "104", "finished", "oom", "running",
                         "0.75", "5.25", "11.8", "1 OOM", "12×5xx"):
            assert expected in shown, expected
        assert app.selected_run == "104"  # the running run is selected first

    drive(story(), body)


def test_progress_shows_samples_per_s_time_for_1000_and_speedup_vs_baseline() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = text_of(app, "#progress")
        assert "11.8 req/s" in shown  # the unit is named: requests, not "samples"
        assert "1000 requests in 1m25s" in shown  # 1000 / 11.8 = 84.7 s
        assert "0.093x vs baseline 127 req/s" in shown
        assert "Requesting API" in shown and "21/32" in shown and "×128" in shown
        assert "ETA 2m00s" in shown

    drive(story(), body, baseline=127.0)


def test_events_show_oom_with_file_line_and_bytes_tried() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        app.select_run("103")
        await pilot.pause()
        shown = text_of(app, "#events")
        assert "server-103.log:187" in shown
        assert "gpu OOM (pytorch)" in shown and "tried 20.0 GiB" in shown
        assert "12× HTTP 500" in shown
        assert "9 retry attempts" in shown
        assert "eval-103.out:77" in shown and "ClientResponseError" in shown

    drive(story(), body)


def test_events_show_advice_with_its_reason() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        app.select_run("102")
        await pilot.pause()
        shown = text_of(app, "#events")
        assert "engine cap" in shown
        assert "--inference-max-batch-size" in shown

    drive(story(), body)


def test_histogram_marks_the_client_batch_size() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = text_of(app, "#histogram")
        assert "26 engine calls" in shown
        assert "reached client batch 128: 24 (92%)" in shown
        line_128 = next(line for line in shown.splitlines() if line.strip().startswith("128"))
        assert "◀ client" in line_128 and "24" in line_128

    drive(story(), body)


def test_engine_cap_shows_that_no_call_reached_the_client_batch() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        app.select_run("102")
        await pilot.pause()
        shown = text_of(app, "#histogram")
        assert "reached client batch 64: 0 (0%)" in shown
        assert "no call reached the client batch (64)" in shown

    drive(story(), body)


def test_gpu_panel_shows_memory_vitals_and_marks_the_jobs_process() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        await pilot.pause()
        shown = text_of(app, "#gpu")
        assert "node01:0" in shown and "NVIDIA H100" in shown and "(simulated)" in shown
        assert "49.0 GiB / 80.0 GiB (61%)" in shown
        assert "util 97%" in shown and "temp 64°C" in shown and "power 512/700 W" in shown
        assert "★ 4242 python" in shown  # the job's own process (in the process tree)
        own = next(line for line in shown.splitlines() if "999" in line)
        assert "★" not in own

    drive(story(), body)


def test_gpu_panel_says_why_there_is_no_gpu() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = text_of(app, "#gpu")
        assert "no GPU on node01: NVML library not found (libnvidia-ml.so.1)" in shown
        assert app.query_one("#gpu").display

    drive(story(gpu=False), body)


def test_no_gpu_option_hides_the_gpu_panel() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        assert not app.query_one("#gpu").display
        await pilot.press("g")  # cannot be turned back on without sampling
        assert not app.query_one("#gpu").display

    drive(story(), body, gpu_enabled=False)


def test_processes_panel_shows_the_tree_with_cpu_rss_state_age() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = text_of(app, "#processes")
        header, *lines = shown.splitlines()
        assert header.split() == ["PID", "Process", "CPU", "%", "RSS", "State", "Age"]
        assert lines[0].lstrip().startswith("4200") and "eval.sbatch" in lines[0]
        assert "└ run_text_generation_server.py" in lines[1]  # the script, not "python"
        assert "98" in lines[1] and "6.0 GiB" in lines[1] and "running" in lines[1]
        assert lines[1].rstrip().endswith("14m50s")  # 1000 - 110 s

    drive(story(), body)


def test_log_tail_merges_files_and_highlights_errors() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = text_of(app, "#log")
        assert "eval   │ INFO     [evaluator:589]" in shown
        assert "server │ [BATCHING DEBUG] run_mcore_engine called with 128 prompts" in shown
        log = app.query_one("#log-lines", RichLog)
        warning = next(s for s in log.lines if "Status code: 500" in s.text)
        assert any(seg.style and seg.style.color and seg.style.color.name == "red"
                   for seg in warning if "Status" in seg.text)

    drive(story(), body, tail=TAIL)


def test_status_line_shows_history_scan_progress() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        assert "scanning history: server-103.log 43%" in text_of(app, "#status")

    drive(story(scanning=True), body)


def test_empty_folder_says_waiting_for_logs() -> None:
    empty = Snapshot(runs=(), gpus=(), gpu_unavailable=(), processes=(), scanning=(),
                     warnings=())

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        assert "waiting for logs in /data/logs" in text_of(app, "#progress")
        assert "waiting for logs in /data/logs" in text_of(app, "#status")

    drive(empty, body, waiting_for=("/data/logs",))


def test_supervisor_attempts_panel() -> None:
    status = SupervisorStatus(
        command=("lm_eval", "run"), log_dir="logs", state="running", max_attempts=4,
        attempts=(
            Attempt(1, 256, started_at=0.0, ended_at=95.0, pid=11, outcome="oom",
                    reason="GPU OOM in server-103.log:27", state="exited 1"),
            Attempt(2, 128, started_at=100.0, pid=4200, outcome="running", state="running"),
        ),
    )

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        assert app.query_one("#attempts").display
        shown = text_of(app, "#attempts")
        header, first, second = shown.splitlines()[:3]
        assert header.split()[:4] == ["#", "Batch", "Outcome", "Time"] and "Reason" in header
        assert first.split()[:2] == ["1", "256"] and "oom" in first
        assert "GPU OOM in server-103.log:27" in first and "1m35s" in first
        assert second.split()[:2] == ["2", "128"] and "running" in second
        # the story on top, shown whatever the layout
        assert ("supervisor  OOM at batch 256 → relaunched at 128 · attempt 2/4 running at "
                "batch 128 (pid 4200)") in text_of(app, "#now")

    drive(story(), body, supervisor=status)


# --------------------------------------------------------------------------- key bindings


def test_n_and_shift_n_switch_run_and_the_panels_follow() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        assert app.selected_run == "104"
        await pilot.press("n")
        assert app.selected_run == "101"  # wraps around
        assert feed.selected == ("logs/eval-101.out", "logs/server-101.log")
        assert "0.75 req/s" in text_of(app, "#progress")
        await pilot.press("N")
        await pilot.press("N")
        assert app.selected_run == "103"
        await pilot.pause()
        assert "server-103.log:187" in text_of(app, "#events")

    drive(story(), body)


def test_selection_follows_the_newest_run_until_the_user_picks_one() -> None:
    full = story()
    early = dataclasses.replace(full, runs=full.runs[:1])  # tail-first: 101 came in first

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        assert app.selected_run == "101"
        feed.set(snapshot=full)
        app.pull()
        assert app.selected_run == "104"  # the running run, once it is known
        await pilot.press("N")
        assert app.selected_run == "103"
        feed.set(snapshot=dataclasses.replace(full, runs=(*full.runs, run("105", "running", 8,
                                                                          1, 8, 1.0))))
        app.pull()
        assert app.selected_run == "103"  # the user's choice sticks

    drive(early, body)


def test_a_finished_log_read_whole_charts_its_exact_average() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        chart = app.query_one("#throughput")
        assert "requests/s (run average)" in str(chart.border_subtitle)

    r = run("9", "finished", 8, 1, 8, 0.75, bars=(bar("logs/eval-9.out", "Requesting API", 40,
                                                       40, rate=0.75, samples_per_s=0.75,
                                                       finished=True, request=True),))
    r = dataclasses.replace(r, bars=(dataclasses.replace(r.bars[0], elapsed_s=53.0),))
    drive(dataclasses.replace(story(), runs=(r,)), body)


def test_clicking_a_run_selects_it() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        await pilot.click("#runs", offset=(4, 3))  # border, header, 101, 102
        await pilot.pause()
        assert app.selected_run == "102"

    drive(story(), body)


def test_pause_freezes_the_screen_and_resume_catches_up() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        await pilot.press("p")
        assert app.paused
        assert "PAUSED" in text_of(app, "#status")
        before = story()
        faster = dataclasses.replace(
            before, runs=(*before.runs[:3], run("104", "running", 128, 4, 128, 13.9))
        )
        feed.set(snapshot=faster)
        app.pull()
        await pilot.pause()
        assert "11.8" in text_of(app, "#runs") and "13.9" not in text_of(app, "#runs")
        await pilot.press("p")
        await pilot.pause()
        assert not app.paused
        assert "13.9" in text_of(app, "#runs")

    drive(story(), body)


def test_slash_filters_the_log_and_escape_clears_it() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        await pilot.press("slash")
        await pilot.press(*"batching")
        await pilot.pause()
        log = app.query_one("#log")
        assert log.visible_text() == [  # type: ignore[attr-defined]
            "[BATCHING DEBUG] run_mcore_engine called with 128 prompts",
            "[BATCHING DEBUG] run_mcore_engine called with 96 prompts",
        ]
        shown = text_of(app, "#log-lines")
        assert "evaluator" not in shown and "96 prompts" in shown
        await pilot.press("q")  # typing in the filter box does not quit
        assert app.is_running
        await pilot.press("escape")
        await pilot.pause()
        assert len(log.visible_text()) == len(TAIL)  # type: ignore[attr-defined]

    drive(story(), body, tail=TAIL)


def test_toggle_panels_with_keys() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        for key, panel in (("l", "#log"), ("e", "#events"), ("c", "#throughput"),
                           ("c", "#engine"), ("g", "#gpu")):
            assert app.query_one(panel).display
            await pilot.press(key)
            assert not app.query_one(panel).display
            await pilot.press(key)
            assert app.query_one(panel).display

    drive(story(), body)


def test_command_palette_offers_switch_run_and_panel_toggles() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Switch to run 101", "Switch to run 103", "Toggle panel: GPU"} <= set(commands)
        commands["Switch to run 101"].callback()
        await pilot.pause()
        assert app.selected_run == "101"
        commands["Toggle panel: log"].callback()
        assert not app.query_one("#log").display

    drive(story(), body)


def test_q_quits() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running

    drive(story(), body)


def test_help_key_opens_the_keys_panel() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = plain(app.screen.query_one("#help-body", Static).content)
        # evalmon's own keys first, before any widget's
        assert shown.index("evalmon keys") < shown.index("in panels")
        assert shown.index("Ctrl-C") < shown.index("↑ ↓")
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)

    drive(story(), body)


# --------------------------------------------------------------------------- the live feed


class FakeSupervisor:
    """What `evalmon run` hands the dashboard: ``status()`` (and ``stop()``)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def status(self) -> SupervisorStatus:
        return SupervisorStatus(
            command=("sleep", "30"), log_dir=".", state="running",
            attempts=(Attempt(1, 64, started_at=0.0, pid=self.pid),),
        )

    def stop(self) -> None:
        pass


@pytest.mark.slow
def test_live_feed_samples_the_supervised_jobs_process_tree(tmp_path: Path) -> None:
    (tmp_path / "eval-5.out").write_text(
        "Requesting API:  50%|█████     | 8/16 [00:08<00:08,  1.00it/s]\n"
    )
    job = subprocess.Popen(["sleep", "30"])
    feed = LiveFeed([str(tmp_path)], gpu=False, poll_interval_s=0.05,
                    supervisor=FakeSupervisor(job.pid))
    try:
        feed.start()
        feed.select_files([str(tmp_path / "eval-5.out")])
        deadline = time.monotonic() + 20
        data = feed.view_data()
        while time.monotonic() < deadline:
            data = feed.view_data()
            if data.snapshot.processes and data.snapshot.runs and data.tail:
                break
            time.sleep(0.05)
        assert [p.pid for p in data.snapshot.processes] == [job.pid]
        assert data.snapshot.processes[0].name == "sleep"
        assert data.supervisor is not None and data.supervisor.current is not None
        assert [r.id for r in data.snapshot.runs] == ["5"]
        assert data.tail[-1].text.startswith("Requesting API:  50%")
    finally:
        feed.stop()
        job.kill()
        job.wait()


# ------------------------------------------------- ended processes, and where GPU figures come from


def test_an_exited_process_is_shown_as_ended_not_as_a_zombie_with_figures() -> None:
    procs = (
        ProcSample(4200, 1, "bash", "bash eval.sbatch", 3.0, 3 << 20, "zombie", 100.0, 1000.0),
        ProcSample(4242, 4200, "python", "python -m lm_eval", 98.0, 6 * GIB, "running", 110.0,
                   1000.0),
    )

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = text_of(app, "#processes")
        assert "zombie" not in shown
        bash = next(line for line in shown.splitlines() if "4200" in line)
        assert "ended" in bash.split() and "MiB" not in bash  # no memory held by the dead
        subtitle = str(app.query_one("#processes").border_subtitle)
        assert subtitle.startswith("1 process · 98% CPU · 6.0 GiB") and "1 ended" in subtitle

    drive(dataclasses.replace(story(), processes=procs), body)


def test_every_gpu_card_says_where_its_figures_come_from() -> None:
    def gpu(host: str, source: str) -> GpuView:
        sample = GpuSample(host=host, index=0, name="NVIDIA H100 80GB HBM3",
                           memory_used=40 * GIB, memory_total=80 * GIB, timestamp=1000.0,
                           source=source)
        return GpuView(host, 0, sample, ((999.0, 40 * GIB),), 40 * GIB)

    gpus = (gpu("node01", "nvml"), gpu("node02", "gpu-log gpu-node02.jsonl"),
            gpu("node07", "dcgm http://node07:9400/metrics"))

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        await pilot.pause()
        # in each card's header: a short panel scrolls a card's last rows out of sight
        headers = [" ".join(plain(h.content).split()) for h in app.query(".gpu-header")]
        assert len(headers) == 3
        assert "node01:0" in headers[0] and "from NVML on node01" in headers[0]
        assert "from gpu-node02.jsonl (gpu-log file)" in headers[1]
        assert "from dcgm http://node07:9400/metrics" in headers[2]

    drive(dataclasses.replace(story(), gpus=gpus), body, size=(200, 60))


class EndingSupervisor(FakeSupervisor):
    """A job whose attempt ends while the dashboard watches."""

    ended = False

    def status(self) -> SupervisorStatus:
        attempt = Attempt(1, 64, started_at=0.0, pid=self.pid)
        if self.ended:
            attempt = dataclasses.replace(attempt, ended_at=1.0, outcome="succeeded")
        return SupervisorStatus(command=("sleep", "30"), log_dir=".",
                                state="succeeded" if self.ended else "running",
                                attempts=(attempt,))


def test_the_processes_of_an_ended_attempt_are_dropped_not_left_as_a_zombie(
        tmp_path: Path) -> None:
    from tests.waiting import wait_for

    job = subprocess.Popen(["sleep", "30"])
    supervisor = EndingSupervisor(job.pid)
    feed = LiveFeed([str(tmp_path)], gpu=False, poll_interval_s=0.05, supervisor=supervisor)
    try:
        feed.start()
        wait_for(lambda: feed.view_data().snapshot.processes, 20, "the job's process")
        job.kill()  # not reaped: a zombie, as a job is between its exit and the supervisor's wait
        supervisor.ended = True
        wait_for(lambda: not feed.view_data().snapshot.processes, 20,
                 "the ended attempt's processes to go")
    finally:
        feed.stop()
        job.kill()
        job.wait()



def test_the_very_first_line_read_reaches_the_log_panel() -> None:
    """Line numbers (seq) start at 0: a first line that arrived after the panel's first draw
    was counted ("1 line") and never shown."""
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        feed.set(tail=(RawLine(0, "logs/eval-104.out", "the first line evalmon read"),
                       RawLine(1, "logs/eval-104.out", "the second")))
        app.pull()
        await pilot.pause()
        shown = text_of(app, "#log")
        assert "the first line evalmon read" in shown and "the second" in shown

    drive(story(), body, tail=())


def test_a_job_without_a_batch_size_is_not_at_batch_question_mark() -> None:
    from evalmon.ui.panels.attempts import supervisor_story

    done = Attempt(1, None, started_at=0.0, ended_at=5.0, pid=42, outcome="succeeded",
                   reason="exited 0")
    line = supervisor_story(SupervisorStatus(command=("bash", "job.sh"), log_dir=".",
                                             state="succeeded", attempts=(done,),
                                             max_attempts=5)).plain
    assert "succeeded (attempt 1/5)" in line and "?" not in line
    running = dataclasses.replace(done, ended_at=None, outcome="running")
    line = supervisor_story(SupervisorStatus(command=("bash", "job.sh"), log_dir=".",
                                             state="running", attempts=(running,))).plain
    assert "attempt 1 running (pid 42)" in line and "?" not in line


def test_one_oom_is_said_once_in_events_and_counts_of_one_are_singular() -> None:
    """The demo's OOM: Flask's 'Exception on /completions' line above the OOM traceback, one
    HTTP 500, one retry. Not a 'server error' row for the OOM's own traceback, not the 5xx
    twice (a row and an advice line), not '1 retry attempts'."""
    oom_run = run("1", "oom", 256, 1, 256, 70.6, engine=(256,),
                  ooms=(OomRecord("logs/server-1.log", 53, OOM),), http={200: 3, 500: 1},
                  server_exceptions=1, api_failures=1, retries=1,
                  alerts=(Alert("warning", "http_5xx", "1 HTTP 5xx response from the server"),))

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        app.select_run("1")
        await pilot.pause()
        shown = " ".join(text_of(app, "#events").split())
        assert shown.count("OOM (pytorch)") == 1 and "server error" not in shown
        assert shown.count("5xx") == 1 and "1× HTTP 500 of 4 requests" in shown
        assert "1 retry attempt" in shown and "attempts" not in shown
        assert "1 failed request seen by lm-eval" in shown

    drive(dataclasses.replace(story(), runs=(oom_run,)), body)


def test_files_without_eval_lines_are_not_waiting_for_logs() -> None:
    """`evalmon /etc`: files are followed, none has an eval line; "waiting for logs" was wrong."""
    empty = Snapshot(runs=(), gpus=(), gpu_unavailable=(), processes=(), scanning=(),
                     warnings=())

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        feed.set(followed=3)
        app.pull()
        await pilot.pause()
        said = "no eval, server or SLURM lines yet in /etc (3 files followed)"
        for panel in ("#progress", "#status", "#now"):
            shown = " ".join(text_of(app, panel).split())
            assert said in shown and "waiting for logs" not in shown, panel

    drive(empty, body, waiting_for=("/etc",))


def test_live_feed_counts_the_files_it_follows_when_there_is_no_run(tmp_path: Path) -> None:
    from tests.waiting import wait_for

    (tmp_path / "syslog.log").write_text("Dec  2 10:00:01 host CRON[1]: (root) CMD (true)\n")
    (tmp_path / "notes.txt").write_text("nothing to see\n")
    feed = LiveFeed([str(tmp_path)], gpu=False, poll_interval_s=0.05)
    try:
        feed.start()
        data = wait_for(lambda: (d := feed.view_data()).followed == 2 and d, 20,
                        "two files followed")
        assert data.waiting_for == (str(tmp_path),) and not data.snapshot.runs
    finally:
        feed.stop()


def test_processes_sampled_before_the_attempt_ended_show_as_ended() -> None:
    """The demo's last screen: 'succeeded' above, and the last sample (taken a moment before
    the exit) still said 'running 60% CPU' below."""
    ended = SupervisorStatus(
        command=("lm_eval", "run"), log_dir="logs", state="succeeded", max_attempts=4,
        attempts=(Attempt(1, 128, started_at=100.0, ended_at=900.0, pid=4200,
                          outcome="succeeded", reason="exited 0"),))

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = text_of(app, "#processes")
        rows = [line for line in shown.splitlines() if "4200" in line or "4242" in line]
        assert len(rows) == 2 and all("ended" in r.split() for r in rows)
        assert "running" not in shown and "sleeping" not in shown
        assert str(app.query_one("#processes").border_subtitle) == "2 ended"

    drive(story(), body, supervisor=ended)


def test_a_log_filter_that_matches_nothing_says_so_instead_of_an_empty_panel() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        await pilot.press("slash")
        await pilot.press(*"xyz[b]")  # markup in the needle stays text
        await pilot.pause()
        shown = text_of(app, "#log-lines").strip()
        assert shown == "no line matches 'xyz[b]' (Esc clears)"
        await pilot.press("escape")
        await pilot.pause()
        shown = text_of(app, "#log-lines")
        assert "no line matches" not in shown and "96 prompts" in shown

    drive(story(), body, tail=TAIL)


def test_a_process_is_named_by_the_module_or_script_it_runs_and_never_squeezed() -> None:
    from evalmon.ui.panels.processes import PROCESS_MIN, render_processes, useful_command

    assert useful_command("/usr/bin/python3.11 -u -m lm_eval --model x") == "lm_eval --model x"
    assert useful_command("python -X dev tools/run_server.py --port 5000") == (
        "run_server.py --port 5000")
    assert useful_command("bash /home/me/eval.sbatch") == "eval.sbatch"
    assert useful_command("/opt/bin/torchrun --nproc 8 train.py") == "torchrun --nproc 8 train.py"
    assert useful_command("/venv/bin/python -I -c 'import x'") == "python -c 'import x'"
    procs = (
        ProcSample(4200, 1, "bash", "bash eval.sbatch", 0.0, 3 << 20, "sleeping", 100.0, 1000.0),
        ProcSample(4242, 4200, "python", "python -m lm_eval --model local-completions", 98.0,
                   6 * GIB, "running", 110.0, 1000.0),
    )
    for width in (40, 56, 76):
        header, _, job = plain(render_processes(procs, width=width), width).splitlines()[:3]
        cell = job[header.index("Process"):].split("  ")[0]  # the Process column's cell
        assert cell.startswith("└ lm_eval --mod") and len(cell) >= PROCESS_MIN, (width, job)
        assert "RSS" in header and "6.0 GiB" in job  # the figures are never what is cut
