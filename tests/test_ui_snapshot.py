"""SVG snapshots of the dashboard on sample_logs/ (pytest-textual-snapshot), at the three
terminal sizes the layouts are built for: 80x24 (a default terminal: one view at a time),
120x40 (half a laptop screen: two columns) and 200x50 (a full screen: three bands).

Deterministic: the logs are replayed through the real parser in fixed pieces (so the
throughput chart has the points a live follow would have collected), the clock is fixed,
and the GPU is a stand-in sample marked "simulated". The supervised screens add the attempt
record `evalmon run` would have kept for the seed's story: batch 256 ran out of memory (run
103), the relaunch at 128 finished (run 104). Update after an intended change with
``pytest tests/test_ui_snapshot.py --snapshot-update`` and look at the new SVGs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from evalmon.events import FileBatch, GpuProcess, GpuSample
from evalmon.parsers.stream import LogParser
from evalmon.pipeline import StaticFeed
from evalmon.sources.follow import Follower
from evalmon.state import EvalState
from evalmon.supervisor.model import Attempt, SupervisorStatus
from evalmon.ui.app import EvalmonApp

REPO = Path(__file__).resolve().parent.parent
SAMPLE_LOGS = REPO / "sample_logs"
NOW = 5_000.0
GIB = 1 << 30
_SEPARATOR = re.compile(rb"[\r\n]")


def pieces(data: bytes, count: int) -> Iterator[bytes]:
    """``data`` cut into about ``count`` pieces, each ending at a ``\\r`` or ``\\n``: what a
    follower reading a growing file would have seen."""
    cuts = [m.end() for m in _SEPARATOR.finditer(data)]
    step = max(1, len(cuts) // count)
    start = 0
    for cut in cuts[step - 1 :: step]:
        yield data[start:cut]
        start = cut
    if start < len(data):
        yield data[start:]


def replayed_state(folder: Path, *, relative_to: Path, pieces_per_file: int = 60) -> EvalState:
    state = EvalState(stall_after_s=120.0)
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".out", ".log"):
            continue
        name = str(path.relative_to(relative_to))
        parser = LogParser()
        for piece in pieces(path.read_bytes(), pieces_per_file):
            state.apply_batch(FileBatch(name, tuple(parser.feed(piece))), NOW)
        state.apply_batch(FileBatch(name, tuple(parser.finish())), NOW)
    return state


def stand_in_gpu(state: EvalState) -> None:
    """A simulated H100 under run 104 (batch 128): what NVML would report, clearly marked."""
    samples = []
    for second in range(120):
        used = int((8 + min(second, 20) * 2.6 + (second % 7) * 0.4) * GIB)
        samples.append(GpuSample(
            host="node01", index=0, name="NVIDIA H100 80GB HBM3 (stand-in)",
            memory_used=used, memory_total=80 * GIB, utilization_pct=96.0,
            temperature_c=63.0, power_w=548.0, power_limit_w=700.0, timestamp=float(second),
            processes=(GpuProcess(48213, used - GIB // 2, "python"),), simulated=True,
        ))
    for sample in samples:
        state.apply_samples([sample], NOW)


#: `evalmon run --batch-size 256 ...` over the seed's story: an OOM at 256, then 128 finished
SUPERVISED = SupervisorStatus(
    command=("lm_eval", "run", "--model", "local-completions", "--batch_size", "256"),
    log_dir="sample_logs", state="succeeded", message="exited 0", max_attempts=4,
    attempts=(
        Attempt(1, 256, started_at=1_000.0, ended_at=1_095.0, pid=4101, outcome="oom",
                state="exited -15", reason="GPU out of memory at batch size 256; relaunching "
                "with 128", oom_file="sample_logs/server-103.log", oom_line=27,
                peak_gpu_bytes=79 * GIB),
        Attempt(2, 128, started_at=1_100.0, ended_at=1_440.0, pid=4188, outcome="succeeded",
                state="exited 0", reason="exited 0", samples_per_s=11.8,
                peak_gpu_bytes=62 * GIB),
    ),
)


def sample_app(*, gpu: bool = True, supervisor: SupervisorStatus | None = None) -> EvalmonApp:
    """The dashboard on sample_logs/, as a user would open it after the four runs."""
    state = replayed_state(SAMPLE_LOGS, relative_to=REPO)
    if gpu:
        stand_in_gpu(state)
    snapshot = state.snapshot(NOW)
    files = [str(REPO / f) for run in snapshot.runs for f in run.files]
    follower = Follower(files, lambda batch: None)
    follower.poll_once()  # every run's last lines: the log panel shows the selected run's
    # the follower was given absolute paths; the state knows them relative to the repo
    lines = tuple(
        type(line)(line.seq, str(Path(line.path).relative_to(REPO)), line.text)
        for line in follower.recent_lines(files)
    )
    follower.stop()
    feed = StaticFeed(snapshot, now=NOW, tail=lines, supervisor=supervisor)
    return EvalmonApp(feed, baseline=127.0, gpu_enabled=gpu, sources_label="sample_logs/",
                      pump=False)


async def _show(pilot: Any) -> None:
    pilot.app.pull()
    await pilot.pause()
    await pilot.pause()


def test_main_screen_on_sample_logs(snap_compare: Any) -> None:
    assert snap_compare(sample_app(), terminal_size=(200, 50), run_before=_show)


def test_supervised_80x24_runs_view(snap_compare: Any) -> None:
    """A default terminal: the Runs view, and on top the run's rate and the supervisor's
    story (OOM at 256 → relaunched at 128), without a key press."""
    assert snap_compare(sample_app(supervisor=SUPERVISED), terminal_size=(80, 24),
                        run_before=_show)


def test_supervised_80x24_events_view(snap_compare: Any) -> None:
    async def events_view(pilot: Any) -> None:
        await _show(pilot)
        await pilot.press("5")
        await pilot.pause()

    assert snap_compare(sample_app(supervisor=SUPERVISED), terminal_size=(80, 24),
                        run_before=events_view)


def test_supervised_120x40_two_columns(snap_compare: Any) -> None:
    assert snap_compare(sample_app(supervisor=SUPERVISED), terminal_size=(120, 40),
                        run_before=_show)


def test_supervised_200x50_wide(snap_compare: Any) -> None:
    assert snap_compare(sample_app(supervisor=SUPERVISED), terminal_size=(200, 50),
                        run_before=_show)


def test_main_screen_on_sample_logs_oom_run_selected(snap_compare: Any) -> None:
    async def select_103(pilot: Any) -> None:
        await _show(pilot)
        await pilot.press("N")  # from 104 (newest) back to 103, the OOM
        await pilot.pause()

    assert snap_compare(sample_app(gpu=False), terminal_size=(160, 45), run_before=select_103)
