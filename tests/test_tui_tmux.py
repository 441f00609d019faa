"""The real dashboard in a real terminal: `evalmon LOGS/` inside tmux, read with capture-pane.

Polls the screen with a deadline; never sleeps and hopes. Needs tmux (apt package tmux).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from evalmon import fmt
from evalmon.sources.follow import Follower
from evalmon.state import EvalState

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
DEADLINE_S = 30.0


class Tmux:
    """One private tmux server (its own socket) running one command in a window of
    ``size`` (200x50 unless told). With ``keep``, the pane stays after the command exits, so
    its exit status and the terminal's state can be read."""

    def __init__(self, command: list[str], cwd: Path, size: tuple[int, int] = (200, 50),
                 keep: bool = False, env: dict[str, str] | None = None) -> None:
        self.socket = f"evalmon-test-{uuid.uuid4().hex[:8]}"
        # COLUMNS/LINES from the calling shell would override the pane size
        extra = [f"{k}={v}" for k, v in (env or {}).items()]
        env_cmd = ["env", "-u", "COLUMNS", "-u", "LINES", "TERM=xterm-256color", *extra,
                   *command]
        start = ["tmux", "-L", self.socket, "-f", "/dev/null"]
        if keep:
            # the option must be set before the command starts: a session that exits at
            # once would otherwise be gone before set-option runs
            subprocess.run([*start, "new-session", "-d", "-s", "idle"], check=True, timeout=10)
            subprocess.run([*start, "set-option", "-g", "remain-on-exit", "on"], check=True,
                           timeout=10)
        subprocess.run(
            [*start, "new-session", "-d", "-x", str(size[0]), "-y", str(size[1]), "-s", "dash",
             "-c", str(cwd), *env_cmd],
            check=True, timeout=10,
        )

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "capture-pane", "-p", "-t", "dash"],
            capture_output=True, text=True, timeout=10,
        )
        return result.stdout if result.returncode == 0 else ""

    def scrollback(self) -> str:
        """The screen and everything that scrolled off it (what a user scrolls back to)."""
        result = subprocess.run(
            ["tmux", "-L", self.socket, "capture-pane", "-p", "-S", "-", "-t", "dash"],
            capture_output=True, text=True, timeout=10,
        )
        return result.stdout if result.returncode == 0 else ""

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", "dash", *keys],
                       check=True, timeout=10)

    def pane(self, fmt_: str) -> str:
        """A pane variable: ``#{pane_pid}``, ``#{pane_dead}``, ``#{alternate_on}`` ..."""
        return subprocess.run(
            ["tmux", "-L", self.socket, "display", "-p", "-t", "dash", fmt_],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()

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
        if not line.lstrip().startswith("│"):
            continue  # not inside a panel (the tabs: "1 Runs  2 Progress ...")
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
    assert f"{rates['104']} req/s" in screen  # the progress panel of the selected run

    # the OOM event itself, with file:line, once run 103 is selected
    tmux.keys("N")
    # with the bytes it tried (the panel may wrap it, and may draw it a frame later)
    tmux.wait_for(lambda s: "server-103.log:" in s and "OOM" in s and "tried" in s
                  and "12.5" in s, "the OOM event with the bytes it tried")

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


# --------------------------------------------------------------------------- the demo, 80x24


def evalmon_command() -> list[str]:
    evalmon = Path(sys.executable).with_name("evalmon")
    return [str(evalmon)] if evalmon.exists() else [sys.executable, "-m", "evalmon.cli"]


def test_demo_at_80x24_shows_the_oom_the_relaunch_and_the_results_without_a_key(
    tmp_path: Path,
) -> None:
    """A default terminal, a newcomer, no key pressed: the server's work, the client's
    progress, the OOM, the relaunch at a smaller batch with the cache reused, the results."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    pytest.importorskip("lm_eval")
    folder = tmp_path / "demo"
    tmux = Tmux([*evalmon_command(), "demo", "--dir", str(folder)], cwd=tmp_path,
                size=(80, 24), keep=True)
    try:
        screen = tmux.wait_for(lambda s: "attempt 1/4 running at batch 256" in s
                               and "1 Runs" in s, "the first attempt", 120)
        assert "6 Log" in screen  # one view at a time, tabs on top
        screen = tmux.wait_for(lambda s: "OOM at batch 256 → relaunched at 128" in s,
                               "the OOM and the relaunch", 180)
        assert "attempt 2/4" in screen
        screen = tmux.wait_for(lambda s: "succeeded" in s and "finished" in s,
                               "the finished run", 180)
        assert "OOM at batch 256 → relaunched at 128" in screen  # still told, on top
        assert "cached" in screen or "demo_arith" in screen
        assert "demo_arith_choice" in screen and "results" in screen  # the results
        assert "oom" in row(screen, "1") and "finished" in row(screen, "2")
        assert all(len(line) <= 80 for line in screen.splitlines())
        tmux.keys("q")  # the demo then prints the run comparison and ends
        tmux.wait_for(  # at 80x24 the comparison is longer than the screen: scroll back
            lambda s: "run comparison" in tmux.scrollback() and tmux.pane("#{pane_dead}") == "1",
            "the comparison after q", 180)
        screen = tmux.scrollback()
        assert "Traceback" not in screen and "succeeded" in screen
        assert tmux.pane("#{alternate_on}") == "0"
    finally:
        tmux.close()


# --------------------------------------------------------------------------- signals


def fake_job(tmp_path: Path) -> tuple[list[str], Path]:
    """`evalmon run` over a long fake eval (its pid written to a file), logs in tmp_path."""
    logs = tmp_path / "logs"
    pid_file = tmp_path / "job.pid"
    command = [*evalmon_command(), "run", "--batch-size", "8", "--log-dir", str(logs),
               "--grace", "5", "--", sys.executable, str(REPO / "tests" / "fake_eval.py"),
               "--batch_size", "{batch_size}", "--steps", "100000", "--step-s", "0.1",
               "--pid-file", str(pid_file)]
    return command, pid_file


def job_alive(pid_file: Path) -> bool:
    import psutil

    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def kill_job(pid_file: Path) -> None:
    """After a failed test: the fake job we started must not outlive it (by its own pid)."""
    import psutil

    if job_alive(pid_file):
        with contextlib.suppress(psutil.Error, OSError, ValueError):
            psutil.Process(int(pid_file.read_text().strip())).kill()


def final_state(logs: Path) -> str:
    from evalmon.supervisor.record import read_record

    sessions = read_record(str(logs)).sessions
    return sessions[-1].final_state if sessions and sessions[-1].finished else ""


def last_reason(logs: Path) -> str:
    """The reason recorded for the last attempt of the last session."""
    from evalmon.supervisor.record import read_record

    sessions = read_record(str(logs)).sessions
    tried = sessions[-1].ordered_attempts() if sessions else ()
    return tried[-1].reason if tried else ""


def wait(predicate: Callable[[], object], what: str, deadline_s: float = DEADLINE_S) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)  # poll interval; the deadline decides
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def job_under_dashboard(tmp_path: Path) -> Iterator[tuple[Tmux, Path, Any]]:
    """`evalmon run` of the fake job under the dashboard in tmux at 80x24, once the job runs:
    (tmux, the job's pid file, evalmon's psutil.Process). Both are gone afterwards."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    import psutil

    command, pid_file = fake_job(tmp_path)
    tmux = Tmux(command, cwd=tmp_path, size=(80, 24), keep=True)
    try:
        tmux.wait_for(lambda s: "attempt 1/5 running at batch 8" in s and job_alive(pid_file),
                      "the job running under the dashboard")
        yield tmux, pid_file, psutil.Process(int(tmux.pane("#{pane_pid}")))
    finally:
        tmux.close()
        kill_job(pid_file)


@pytest.mark.parametrize("how", ["ctrl-c", "SIGTERM", "SIGHUP"])
def test_ctrl_c_sigterm_and_sighup_under_the_dashboard_stop_the_job_cleanly(
    tmp_path: Path, how: str,
) -> None:
    """What they do headless: the job is stopped (SIGTERM to its group), the record says
    cancelled, evalmon exits, and the terminal leaves the alternate screen."""
    with job_under_dashboard(tmp_path) as (tmux, pid_file, evalmon):
        assert tmux.pane("#{alternate_on}") == "1"
        if how == "ctrl-c":
            tmux.keys("C-c")
        elif how == "SIGTERM":
            evalmon.send_signal(signal.SIGTERM)  # our own child, by its pid
        else:
            evalmon.send_signal(signal.SIGHUP)  # what a closed terminal sends
        wait(lambda: not job_alive(pid_file), "the job to be stopped")
        wait(lambda: tmux.pane("#{pane_dead}") == "1", "evalmon to exit")
        record = tmp_path / "logs" / ".evalmon" / "attempts.jsonl"
        errors = tmp_path / "logs" / ".evalmon" / "evalmon-stderr.log"  # after SIGHUP
        errors_text = errors.read_text() if errors.exists() else ""
        assert final_state(tmp_path / "logs") == "cancelled", (
            record.read_text()[-2000:] if record.exists() else "no record", errors_text,
            tmux.screen(),
            "exit status", tmux.pane("#{pane_dead_status}"), "signal",
            tmux.pane("#{pane_dead_signal}"),
        )
        assert tmux.pane("#{alternate_on}") == "0"  # the terminal is restored
        said = {"ctrl-c": "Ctrl-C", "SIGTERM": "stopped by SIGTERM",
                "SIGHUP": "the terminal closed (SIGHUP)"}[how]
        assert said in last_reason(tmp_path / "logs"), last_reason(tmp_path / "logs")
        screen = tmux.screen()
        assert "Traceback" not in screen and "Traceback" not in errors_text
        if how != "SIGHUP":  # (after SIGHUP nothing is printed: there is no terminal)
            assert "cancelled" in screen


def test_after_q_supervision_goes_on_and_survives_sigcont(tmp_path: Path) -> None:
    """``q`` closes only the dashboard. A SIGCONT afterwards (a terminal resuming a stopped
    evalmon) must not wake the dashboard's leftovers: once, Textual's SIGCONT handler stayed
    installed and raised with no event loop, and evalmon died mid-supervision with its record
    unfinished. Ctrl-C then stops the job as it does headless."""
    with job_under_dashboard(tmp_path) as (tmux, pid_file, evalmon):
        tmux.keys("q")
        tmux.wait_for(lambda s: "still supervising the job" in s, "the headless hand-over")
        assert tmux.pane("#{alternate_on}") == "0"
        evalmon.send_signal(signal.SIGCONT)  # our own child, by its pid
        # (with the bug, the handler raised within one of the main thread's 0.2 s joins;
        # the Ctrl-C below then finds evalmon gone, or dying with the record unfinished)
        tmux.keys("C-c")
        wait(lambda: not job_alive(pid_file), "the job to be stopped")
        wait(lambda: tmux.pane("#{pane_dead}") == "1", "evalmon to exit")
        assert final_state(tmp_path / "logs") == "cancelled", tmux.screen()
        assert "Ctrl-C" in last_reason(tmp_path / "logs"), last_reason(tmp_path / "logs")
        assert "Traceback" not in tmux.scrollback()


def test_closing_the_terminal_stops_the_job(tmp_path: Path) -> None:
    """The real thing: the terminal goes away (tmux kills the pane: SIGHUP, then the tty is
    gone), and the job does not run on unsupervised."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    import psutil

    command, pid_file = fake_job(tmp_path)
    tmux = Tmux(command, cwd=tmp_path, size=(80, 24))
    try:
        tmux.wait_for(lambda s: "running at batch 8" in s and job_alive(pid_file),
                      "the job running under the dashboard")
        evalmon = psutil.Process(int(tmux.pane("#{pane_pid}")))
    finally:
        tmux.close()
    try:
        wait(lambda: not job_alive(pid_file), "the job to be stopped")
    finally:
        kill_job(pid_file)
    wait(lambda: final_state(tmp_path / "logs") == "cancelled", "the record to say cancelled")
    # and evalmon itself ends: once, Textual's shutdown hung writing to the vanished terminal
    try:
        evalmon.wait(timeout=DEADLINE_S)
    except psutil.TimeoutExpired:
        evalmon.kill()  # our own child's leftover, by its pid
        raise AssertionError("evalmon did not exit after its terminal closed") from None


def test_vllm_demo_at_200x50_shows_running_waiting_and_the_kv_cache(tmp_path: Path) -> None:
    """The vLLM-flavoured demo followed live in a real terminal: the engine panel reads the
    server's statistics lines and its /metrics (found from its start-up line) while it runs."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    pytest.importorskip("lm_eval")
    folder = tmp_path / "demo"
    tmux = Tmux([*evalmon_command(), "demo", "--server", "vllm", "--dir", str(folder)],
                cwd=tmp_path, size=(200, 50), keep=True)
    try:
        rows = ("running", "waiting", "KV cache", "gen tok/s", "first token")
        # the latency row needs a scrape after the first answered requests: wait for all
        screen = tmux.wait_for(
            lambda s: "vLLM engine" in s and "stats lines" in s and "scrapes" in s
            and all(row in s for row in rows),
            "the vLLM engine panel read from the log and from /metrics", 240)
        assert "Traceback" not in screen
    finally:
        tmux.close()


def test_under_nohup_a_closed_terminal_leaves_the_job_supervised(tmp_path: Path) -> None:
    """SIGHUP ignored when evalmon started (nohup): the terminal closing ends the dashboard
    only; the job runs on, supervised headless, until SIGTERM stops it cleanly. (Before,
    Textual's writes to the vanished terminal blocked the dashboard forever.)"""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    import psutil

    command, pid_file = fake_job(tmp_path)
    nohup = ["sh", "-c", 'trap "" HUP; exec "$@"', "nohup-like", *command]
    tmux = Tmux(nohup, cwd=tmp_path, size=(80, 24))
    try:
        tmux.wait_for(lambda s: "running at batch 8" in s and job_alive(pid_file),
                      "the job running under the dashboard")
        evalmon = psutil.Process(int(tmux.pane("#{pane_pid}")))
    finally:
        tmux.close()

    def detached() -> bool:  # the dashboard ended: its terminal fds went to /dev/null
        return os.readlink(f"/proc/{evalmon.pid}/fd/2") == os.devnull

    try:
        wait(detached, "the dashboard to end")
        assert evalmon.is_running() and job_alive(pid_file)  # still supervised
        assert final_state(tmp_path / "logs") == ""
        evalmon.send_signal(signal.SIGTERM)  # our own child, by its pid
        wait(lambda: not job_alive(pid_file), "the job to be stopped")
        evalmon.wait(timeout=DEADLINE_S)
        assert final_state(tmp_path / "logs") == "cancelled"
    finally:
        if evalmon.is_running():
            evalmon.kill()
        kill_job(pid_file)
