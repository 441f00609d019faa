"""SVG snapshot of the main screen on sample_logs/ (pytest-textual-snapshot).

Deterministic: the logs are replayed through the real parser in fixed pieces (so the
throughput chart has the points a live follow would have collected), the clock is fixed,
and the GPU is a stand-in sample marked "simulated". Update after an intended change with
``pytest tests/test_ui_snapshot.py --snapshot-update`` and look at the new SVG.
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


def sample_app(*, gpu: bool = True, size_hint: str = "") -> EvalmonApp:
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
    feed = StaticFeed(snapshot, now=NOW, tail=lines)
    return EvalmonApp(feed, baseline=127.0, gpu_enabled=gpu, sources_label="sample_logs/",
                      pump=False)


async def _show(pilot: Any) -> None:
    pilot.app.pull()
    await pilot.pause()
    await pilot.pause()


def test_main_screen_on_sample_logs(snap_compare: Any) -> None:
    assert snap_compare(sample_app(), terminal_size=(200, 50), run_before=_show)


def test_main_screen_on_sample_logs_oom_run_selected(snap_compare: Any) -> None:
    async def select_103(pilot: Any) -> None:
        await _show(pilot)
        await pilot.press("N")  # from 104 (newest) back to 103, the OOM
        await pilot.pause()

    assert snap_compare(sample_app(gpu=False), terminal_size=(160, 45), run_before=select_103)
