"""The real dashboard in a real terminal: `evalmon LOGS/` inside tmux, read with capture-pane.

Polls the screen with a deadline; never sleeps and hopes. Needs tmux (apt package tmux).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from evalmon import fmt
from evalmon.sources.follow import Follower
from evalmon.state import EvalState

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
DEADLINE_S = 30.0


class Tmux:
    """One private tmux server (its own socket) running one command in a 200x50 window."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.socket = f"evalmon-test-{uuid.uuid4().hex[:8]}"
        # COLUMNS/LINES from the calling shell would override the pane size
        env_cmd = ["env", "-u", "COLUMNS", "-u", "LINES", "TERM=xterm-256color", *command]
        subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-x", "200",
             "-y", "50", "-s", "dash", "-c", str(cwd), *env_cmd],
            check=True, timeout=10,
        )

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "capture-pane", "-p", "-t", "dash"],
            capture_output=True, text=True, timeout=10,
        )
        return result.stdout if result.returncode == 0 else ""

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", "dash", *keys],
                       check=True, timeout=10)

    def alive(self) -> bool:
        return subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", "dash"],
                              capture_output=True, timeout=10).returncode == 0

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True,
                       timeout=10)

    def wait_for(self, check: Callable[[str], bool], what: str,
                 deadline_s: float = DEADLINE_S) -> str:
        end = time.monotonic() + deadline_s
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.1)  # poll interval, not a guess: the deadline decides
        raise AssertionError(f"timed out waiting for {what}; screen was:\n{screen}")


@pytest.fixture
def dashboard(sample_logs_copy: Path) -> Iterator[tuple[Tmux, Path]]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    evalmon = Path(sys.executable).with_name("evalmon")
    command = [str(evalmon)] if evalmon.exists() else [sys.executable, "-m", "evalmon.cli"]
    tmux = Tmux([*command, "--no-gpu", "--poll-interval", "0.1", f"{sample_logs_copy}/"],
                cwd=REPO)
    try:
        yield tmux, sample_logs_copy
    finally:
        tmux.close()


def expected_rates(logs: Path) -> dict[str, str]:
    """Samples/s per run as the dashboard prints it, computed by the same state headlessly
    (the sample logs may be regenerated; the test must not hard-code their figures)."""
    state = EvalState()
    Follower([str(logs)], lambda batch: state.apply_batch(batch, 0.0)).poll_once()
    return {run.id: fmt.rate(run.samples_per_s) for run in state.snapshot(0.0).runs}


def row(screen: str, run_id: str) -> str:
    """The runs-table line of ``run_id``."""
    for line in screen.splitlines():
        cells = line.strip("│ ").split()
        if cells and cells[0] == run_id:
            return line
    return ""


def test_dashboard_shows_runs_rates_and_the_oom_then_follows_appends(
    dashboard: tuple[Tmux, Path],
) -> None:
    tmux, logs = dashboard
    rates = expected_rates(logs)
    assert set(rates) == {"101", "102", "103", "104"}
    # tail-first: rows appear at once and settle when every file has been read
    screen = tmux.wait_for(
        lambda s: all(row(s, r) for r in rates)
        and "oom" in row(s, "103") and rates["104"] in row(s, "104"),
        "the four runs, fully read",
    )
    for run_id in ("101", "102", "104"):
        assert "finished" in row(screen, run_id)
        assert rates[run_id] in row(screen, run_id).split(), run_id
    assert "oom" in row(screen, "103") and "OOM" in row(screen, "103")
    assert f"{rates['104']} samples/s" in screen  # the progress panel of the selected run

    # the OOM event itself, with file:line, once run 103 is selected
    tmux.keys("N")
    screen = tmux.wait_for(lambda s: "server-103.log:" in s and "OOM" in s, "the OOM event")
    assert "tried" in screen and "12.5" in screen  # bytes tried (the panel may wrap it)

    # a new run appears while the dashboard runs, and its live log is followed
    new_log = logs / "eval-105.out"
    with new_log.open("w") as fh:
        fh.write("2026-11-24:03:08:06 INFO     [evaluator:589] Running loglikelihood requests\n")
        fh.write("Requesting API:  25%|██▌       | 8/32 [00:30<01:30,  0.27it/s]\r")
        fh.flush()
    tmux.wait_for(lambda s: "running" in row(s, "105"), "run 105 appearing as running")
    tmux.keys("n", "n")  # 103 -> 104 -> 105
    tmux.wait_for(lambda s: "Log · 105" in s and "Running loglikelihood requests" in s,
                  "the log of run 105")
    marker = f"marker-{uuid.uuid4().hex[:6]}"
    with new_log.open("a") as fh:
        fh.write(f"\rRequesting API:  50%|█████     | 16/32 [01:00<01:00,  0.27it/s]\n"
                 f"WARNING  appended while running {marker}\n")
    screen = tmux.wait_for(lambda s: marker in s and "16/32" in s, "the appended lines")
    assert "Requesting API" in screen

    tmux.keys("q")
    end = time.monotonic() + DEADLINE_S
    while tmux.alive() and time.monotonic() < end:
        time.sleep(0.1)
    assert not tmux.alive(), "q did not quit the dashboard"


def test_bad_path_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    result = subprocess.run([sys.executable, "-m", "evalmon.cli", str(missing)],
                            capture_output=True, text=True, timeout=60, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 2
    assert result.stderr.strip() == f"evalmon: no such file or directory: {missing}"
    assert "Traceback" not in result.stderr


def test_empty_folder_opens_and_waits_for_logs(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    empty = tmp_path / "fresh"
    empty.mkdir()
    tmux = Tmux([sys.executable, "-m", "evalmon.cli", "--no-gpu", str(empty)], cwd=REPO)
    try:
        tmux.wait_for(lambda s: "waiting for logs in" in s and "fresh" in s, "waiting message")
        (empty / "eval-7.out").write_text("Requesting API:  10%|█         | 1/10 [00:01<00:09,"
                                          "  1.00it/s]\n")
        tmux.wait_for(lambda s: row(s, "7") != "", "the first run appearing")
    finally:
        tmux.close()


def test_hostile_log_text_is_inert_in_a_real_terminal(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    logs = tmp_path / "logs"
    logs.mkdir()
    hostile = (
        "\x1b]0;pwned-title\x07\x1b]2;pwned-too\x1b\\\x1b[2J\x1b[H\x1b[?1049l"
        "[bold red]literal markup[/] \x1b[31mred\x1b[0m end-of-hostile-line\n"
    )
    (logs / "eval-8.out").write_text(
        "Requesting API:  50%|█████     | 8/16 [00:08<00:08,  1.00it/s]\n" + hostile
        + "x" * 100_000 + " tail-of-100kb\n" + "after the long line\n"
    )
    tmux = Tmux([sys.executable, "-m", "evalmon.cli", "--no-gpu", str(logs)], cwd=REPO)
    try:
        screen = tmux.wait_for(lambda s: "after the long line" in s, "the log tail")
        assert "[bold red]literal markup[/] red end-of-hostile-line" in screen
        assert "pwned" not in screen
        title = subprocess.run(
            ["tmux", "-L", tmux.socket, "display", "-p", "-t", "dash", "#{pane_title}"],
            capture_output=True, text=True, timeout=10,
        ).stdout
        assert "pwned" not in title
        lines = screen.splitlines()
        assert len(lines) == 50 and lines[0].lstrip().startswith("evalmon")  # layout intact
        assert max(len(line) for line in lines) <= 200
    finally:
        tmux.close()
