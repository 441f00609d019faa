"""The progress panel of a run that ended part way: its bar keeps its count, not an ETA."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from evalmon import fmt
from evalmon.pipeline import scan
from evalmon.ui.panels.progress import render_progress
from evalmon.ui.view import DashboardView

SAMPLES = Path(__file__).resolve().parent.parent / "sample_logs"


def rendered(view: DashboardView) -> str:
    console = Console(width=100, record=True, color_system=None)
    console.print(render_progress(view, 100))
    return console.export_text()


def half_done_client_log() -> bytes:
    """eval-101.out cut in the middle of its ``Requesting API`` burst (1984/4000)."""
    data = (SAMPLES / "eval-101.out").read_bytes()
    return data[: data.index(b"Requesting API:  50%")]


def test_a_bar_of_a_run_that_died_has_no_eta(tmp_path: Path) -> None:
    (tmp_path / "eval-103.out").write_bytes(half_done_client_log() + b"\n")
    (tmp_path / "server-103.log").write_bytes((SAMPLES / "server-103.log").read_bytes())
    snapshot = scan([str(tmp_path)])
    run = snapshot.run("103")
    assert run is not None and run.status == "oom"
    bar = next(b for b in run.bars if b.is_request_bar)
    assert not bar.finished and bar.eta_s is not None  # the bar alone would say 44 min to go
    text = rendered(DashboardView(snapshot, selected_run="103"))
    row = next(line for line in text.splitlines() if "Requesting API" in line)
    assert row.rstrip().endswith("-"), row
    assert "ETA " not in text  # nor in the header
    assert "(partial" in text and "1000 requests in" not in text  # no time at a partial rate


def test_a_running_bar_keeps_its_eta(tmp_path: Path) -> None:
    (tmp_path / "eval-101.out").write_bytes(half_done_client_log() + b"\n")
    snapshot = scan([str(tmp_path)])
    run = snapshot.run("101")
    assert run is not None and run.status == "running"
    bar = next(b for b in run.bars if b.is_request_bar)
    assert bar.eta_s is not None
    row = next(
        line
        for line in rendered(DashboardView(snapshot, selected_run="101")).splitlines()
        if "Requesting API" in line
    )
    assert row.rstrip().endswith(" " + fmt.duration(bar.eta_s)), row


def test_a_run_that_ended_without_a_bar_says_none_was_logged(tmp_path: Path) -> None:
    """Not "no progress bar yet" for a job that ended: none will come (a program that is not
    lm-eval under evalmon run, here a traceback and its end)."""
    (tmp_path / "eval-7.out").write_text(
        "Traceback (most recent call last):\n"
        '  File "job.py", line 3, in <module>\n'
        "ValueError: bad config\n"
    )
    snapshot = scan([str(tmp_path)])
    run = snapshot.run("7")
    assert run is not None and run.status == "failed"
    text = rendered(DashboardView(snapshot, selected_run="7"))
    assert "no progress bar logged" in text and "yet" not in text
    assert "no request rate: no request bar in its log" in text
