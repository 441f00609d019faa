"""`evalmon run` on real local processes (tests/fake_eval.py), end to end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from evalmon.supervisor.record import read_record
from tests.waiting import communicate_or_dump, wait_for

FAKE = str(Path(__file__).with_name("fake_eval.py"))
ROOT = str(Path(__file__).resolve().parents[1])

pytestmark = pytest.mark.slow


def evalmon_run(opts: list[str], command: list[str]) -> list[str]:
    # -X faulthandler: a hang is failed with every thread's stack (communicate_or_dump)
    return [sys.executable, "-X", "faulthandler", "-m", "evalmon.cli.run", "--headless", *opts,
            "--", *command]


def run(opts: list[str], command: list[str], timeout: float = 60.0) -> subprocess.CompletedProcess:
    argv = evalmon_run(opts, command)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    out, err = communicate_or_dump(proc, timeout)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def fake(*args: str) -> list[str]:
    return [sys.executable, FAKE, "--batch_size", "{batch_size}", *args]


def attempts(log_dir: Path):
    contents = read_record(str(log_dir))
    assert contents.skipped_lines == 0
    assert contents.sessions, "no session recorded"
    return contents.sessions[-1].ordered_attempts()


def recorded_pid(log_dir: Path) -> int | None:
    sessions = read_record(str(log_dir)).sessions
    tried = sessions[-1].ordered_attempts() if sessions else ()
    return tried[0].pid if tried else None


def test_oom_relaunches_256_128_64_until_success(tmp_path: Path) -> None:
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path), "--grace", "2"],
              fake("--oom-above", "64", "--steps", "3"))
    assert res.returncode == 0, res.stdout + res.stderr
    tried = attempts(tmp_path)
    assert [(a.batch_size, a.outcome) for a in tried] == [
        (256, "oom"), (128, "oom"), (64, "succeeded")
    ]
    assert tried[0].oom_file and tried[0].oom_file.endswith("attempt-1.err")
    assert "relaunching with 128" in tried[0].reason
    assert all(a.ended_at is not None for a in tried)
    # the job got each size through {batch_size} and its output landed in the log dir
    assert "batch_size: 64" in (tmp_path / "attempt-3.out").read_text()
    assert "Tried to allocate 4.00 GiB" in (tmp_path / "attempt-1.err").read_text()
    # the summary table
    table = res.stdout[res.stdout.index("#  batch"):]
    assert "256" in table and "oom" in table and "succeeded" in table
    assert res.stdout.rstrip().splitlines()[-1].startswith("evalmon: succeeded")


def test_schedule_and_env_vars_move_together(tmp_path: Path) -> None:
    command = [sys.executable, FAKE, "--size-env", "INFERENCE_MAX_BATCH", "--oom-above", "100",
               "--steps", "2"]
    res = run(["--schedule", "256,192,96", "--batch-env", "BATCH_SIZE",
               "--batch-env", "INFERENCE_MAX_BATCH", "--log-dir", str(tmp_path)], command)
    assert res.returncode == 0, res.stdout + res.stderr
    assert [a.batch_size for a in attempts(tmp_path)] == [256, 192, 96]


@pytest.mark.parametrize(
    ("opts", "n_attempts", "words"),
    [
        (["--batch-size", "256", "--max-attempts", "2"], 2, "max attempts (2) reached"),
        (["--batch-size", "256", "--min-batch-size", "128"], 2, "--min-batch-size 128"),
    ],
)
def test_limits_stop_with_nonzero_exit(tmp_path: Path, opts, n_attempts, words) -> None:
    res = run([*opts, "--log-dir", str(tmp_path)], fake("--oom-above", "16"))
    assert res.returncode == 1, res.stdout + res.stderr
    tried = attempts(tmp_path)
    assert len(tried) == n_attempts and all(a.outcome == "oom" for a in tried)
    assert words in res.stdout
    assert "evalmon: gave up" in res.stdout


def test_non_oom_crash_is_not_relaunched(tmp_path: Path) -> None:
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path)], fake("--crash"))
    assert res.returncode == 1
    (only,) = attempts(tmp_path)
    assert only.outcome == "failed" and only.exit_code == 1
    assert "no GPU OOM" in only.reason


def test_oom_while_loading_is_not_relaunched(tmp_path: Path) -> None:
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path)], fake("--oom-at-load"))
    assert res.returncode == 1, res.stdout + res.stderr
    (only,) = attempts(tmp_path)
    assert only.outcome == "failed" and "loading" in only.reason


def test_server_log_oom_is_read_from_the_server_log(tmp_path: Path) -> None:
    server_log = tmp_path / "server-1.log"
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path)],
              fake("--oom-above", "128", "--server-log", str(server_log)))
    assert res.returncode == 0, res.stdout + res.stderr
    first, second = attempts(tmp_path)
    assert first.outcome == "oom" and first.oom_file == str(server_log)
    assert second.batch_size == 128 and second.outcome == "succeeded"


def test_sigterm_ignoring_job_is_killed_after_grace(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    res = run(["--batch-size", "128", "--log-dir", str(tmp_path), "--grace", "1",
               "--oom-wait", "0.5"],  # it hangs after its OOM: no exit to wait for
              fake("--oom-above", "64", "--ignore-sigterm", "--pid-file", str(pids)))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "killed (ignored SIGTERM for 1 s)" in res.stdout
    first_pid = int(pids.read_text().split()[0])
    assert not psutil.pid_exists(first_pid) or psutil.Process(first_pid).status() == "zombie"
    assert [a.outcome for a in attempts(tmp_path)] == ["oom", "succeeded"]


def test_log_text_with_shell_metacharacters_changes_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    nasty = [
        f"$(touch {marker}) `touch {marker}`; touch {marker} && rm -rf {tmp_path} | tee {marker}",
        f"RuntimeError: $(touch {marker}) CUDA error: {{batch_size}} %s %n \x1b[31m[bold]x[/bold]",
        "'; DROP TABLE attempts; -- \" ${IFS} > /dev/null 2>&1 &",
    ]
    echo: list[str] = []
    for line in nasty:
        echo += ["--echo", line]
    res = run(["--batch-size", "128", "--log-dir", str(tmp_path)],
              fake("--oom-above", "64", *echo))
    assert res.returncode == 0, res.stdout + res.stderr
    assert not marker.exists()
    tried = [(a.batch_size, a.outcome) for a in attempts(tmp_path)]
    assert tried == [(128, "oom"), (64, "succeeded")]
    assert "\x1b" not in res.stdout  # nothing from the logs reaches the terminal raw


def test_second_supervisor_on_the_same_log_dir_is_refused(tmp_path: Path) -> None:
    first = subprocess.Popen(
        evalmon_run(["--batch-size", "8", "--log-dir", str(tmp_path)],
                    fake("--steps", "40", "--step-s", "0.1")),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for(lambda: (tmp_path / "attempt-1.err").exists(), 20, "first attempt")
        res = run(["--batch-size", "8", "--log-dir", str(tmp_path)], fake())
        assert res.returncode == 2
        assert "already running" in res.stdout + res.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)
    assert first.returncode == 1
    assert attempts(tmp_path)[-1].outcome == "cancelled"


def test_evalmon_killed_and_restarted_adopts_the_running_attempt(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    opts = ["--batch-size", "64", "--log-dir", str(tmp_path)]
    command = fake("--steps", "60", "--step-s", "0.1", "--pid-file", str(pids))
    first = subprocess.Popen(evalmon_run(opts, command), cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: pids.exists() and pids.read_text().strip(), 20, "the job to start")
    job_pid = int(pids.read_text().split()[0])
    wait_for(lambda: recorded_pid(tmp_path), 10, "attempt recorded")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert psutil.pid_exists(job_pid)  # the job lives on in its own session
    res = run(opts, command, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "adopted attempt 1" in res.stdout
    assert pids.read_text().split() == [str(job_pid)]  # no second process was started
    (only,) = attempts(tmp_path)
    assert only.outcome == "succeeded" and only.exit_code == 0
    assert len(read_record(str(tmp_path)).sessions) == 1


def test_one_oom_reported_by_many_ranks_and_late_server_lines_is_one_relaunch(
    tmp_path: Path,
) -> None:
    server_log = tmp_path / "server.log"
    server_log.write_text("server started\n")
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path)],
              fake("--oom-above", "128", "--rank-logs", "4", "--late-oom-log", str(server_log)))
    assert res.returncode == 0, res.stdout + res.stderr
    assert [(a.batch_size, a.outcome) for a in attempts(tmp_path)] == [
        (256, "oom"), (128, "succeeded")
    ]
    assert (tmp_path / "rank-3.log").exists()
    assert server_log.read_text().count("CUDA out of memory") == 1  # the late one did land


def test_attempt_that_ooms_while_evalmon_is_dead_is_relaunched_on_restart(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    opts = ["--batch-size", "256", "--log-dir", str(tmp_path)]
    command = fake("--oom-above", "128", "--oom-after", "8", "--steps", "10", "--step-s", "0.1",
                   "--pid-file", str(pids))
    first = subprocess.Popen(evalmon_run(opts, command), cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: recorded_pid(tmp_path), 20, "attempt recorded")
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    job_pid = int(wait_for(lambda: pids.exists() and pids.read_text().split(), 10, "pid")[0])
    wait_for(lambda: not psutil.pid_exists(job_pid), 20, "the job to die of its OOM")
    res = run(opts, command)
    assert res.returncode == 0, res.stdout + res.stderr
    first_attempt, second = attempts(tmp_path)
    assert first_attempt.outcome == "oom" and first_attempt.exit_code == 1
    assert "ended while evalmon was away" in first_attempt.reason
    assert (second.batch_size, second.outcome) == (128, "succeeded")


def test_summary_samples_per_s_is_the_reports_figure(tmp_path: Path) -> None:
    """One number per attempt everywhere: the summary computes it as the report does."""

    res = run(["--batch-size", "128", "--log-dir", str(tmp_path), "--grace", "2"],
              fake("--oom-above", "64", "--steps", "3"))
    assert res.returncode == 0, res.stdout + res.stderr
    tried = attempts(tmp_path)
    report = subprocess.run(
        [sys.executable, "-m", "evalmon", "report", str(tmp_path), "--format", "json"],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=True,
    )
    by_run = {r["id"]: r for r in json.loads(report.stdout)["runs"]}
    done = tried[-1]
    assert done.outcome == "succeeded" and done.samples_per_s
    assert by_run[str(done.number)]["samples_per_s"] == pytest.approx(done.samples_per_s)
    # the attempt's own stdout names the command it ran (its batch size among it)
    first_line = (tmp_path / f"attempt-{done.number}.out").read_text().splitlines()[0]
    assert first_line.startswith("+ ") and "--batch_size 64" in first_line


# ------------------------------------------------------------------ whose bytes (issue 12)


def test_the_same_command_twice_in_one_folder_relaunches_both_times(tmp_path: Path) -> None:
    """The second session appends to attempt-1.err right after the first one's traceback:
    its OOM is its own, not a repeat of the old one (bare tracebacks: no line between)."""
    opts = ["--batch-size", "64"]  # the default folder: ./evalmon-logs
    command = fake("--oom-above", "32", "--steps", "2", "--quiet")
    outcomes = []
    for _ in range(2):
        res = subprocess.run(evalmon_run(opts, command), capture_output=True, text=True,
                             timeout=60, cwd=tmp_path, check=False,
                             env={**os.environ, "PYTHONPATH": ROOT})
        assert res.returncode == 0, res.stdout + res.stderr
        outcomes.append([(a.batch_size, a.outcome) for a in attempts(tmp_path / "evalmon-logs")])
    assert outcomes == [[(64, "oom"), (32, "succeeded")]] * 2
    err = (tmp_path / "evalmon-logs" / "attempt-1.err").read_text()
    assert err.count("CUDA out of memory") == 2  # appended to, by both sessions
    assert len(read_record(str(tmp_path / "evalmon-logs")).sessions) == 2
    # the report judges each session's bytes as the supervisor did: two OOM reports in
    # attempt-1.err, each attempt's run with the batch size evalmon run gave it and its end
    report = subprocess.run(
        [sys.executable, "-m", "evalmon", "report", "evalmon-logs", "--format", "json"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, check=True,
        env={**os.environ, "PYTHONPATH": ROOT},
    )
    by_run = {r["id"]: r for r in json.loads(report.stdout)["runs"]}
    assert [(r["config"]["batch_size"], r["status"], len(r["ooms"]), len(r["oom_failures"]))
            for r in (by_run["1"], by_run["2"])] == [(64, "oom", 2, 2), (32, "finished", 0, 0)]


def test_a_rank_reporting_late_in_the_old_attempts_log_causes_no_second_relaunch(
    tmp_path: Path,
) -> None:
    """Rank 1's report of attempt 1's OOM reaches attempt-1.err 2 s after attempt 2 started
    (a shared filesystem): it is attempt 1's failure, read late; attempt 2 runs to the end."""
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path)],
              fake("--oom-above", "128", "--oom-after", "1", "--steps", "60", "--step-s", "0.1",
                   "--late-rank-oom", "2"), timeout=90)
    assert res.returncode == 0, res.stdout + res.stderr
    assert [(a.batch_size, a.outcome) for a in attempts(tmp_path)] == [
        (256, "oom"), (128, "succeeded")
    ]
    assert (tmp_path / "late-rank.done").exists()
    assert (tmp_path / "attempt-1.err").read_text().count("[rank1]: torch.OutOfMemoryError") == 1
    # read while attempt 2 ran, and said so
    assert "a late report in attempt 1's log" in res.stdout, res.stdout


def test_a_relaunched_attempt_that_ooms_again_in_the_shared_server_log_is_relaunched(
    tmp_path: Path,
) -> None:
    """Both attempts' OOMs land in one server log, rank-prefixed around unprefixed access
    lines, a few lines apart: the second is a new failure of attempt 2, not a repeat."""
    server_log = tmp_path / "server.log"
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path)],
              fake("--oom-above", "64", "--server-log", str(server_log),
                   "--server-oom-rank", "0"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert [(a.batch_size, a.outcome) for a in attempts(tmp_path)] == [
        (256, "oom"), (128, "oom"), (64, "succeeded")
    ]
    assert server_log.read_text().count("[rank0]: torch.OutOfMemoryError") == 2
    assert all(a.oom_file and a.oom_file.endswith("server.log") for a in attempts(tmp_path)[:2])


# ------------------------------------------------------------ a fatal OOM needs evidence


def test_an_oom_the_job_survives_is_never_relaunched(tmp_path: Path) -> None:
    """A whole fatal-looking traceback, then the bar moves on for longer than --oom-wait and
    the job exits 0: it survived (it caught the OOM); nothing is stopped or relaunched.
    (Its bar redraws one open line, so the OOM line is released with its context only at the
    exit here; tests/test_supervisor_oom_evidence.py has progress read while it runs.)"""
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path), "--oom-wait", "1"],
              fake("--oom-above", "64", "--survive-oom", "--oom-after", "1", "--steps", "30",
                   "--step-s", "0.1"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert [(a.batch_size, a.outcome) for a in attempts(tmp_path)] == [(256, "succeeded")]
    assert "torch.OutOfMemoryError" in (tmp_path / "attempt-1.err").read_text()
    assert res.stdout.count("was survived") == 1, res.stdout


def test_an_oom_then_exit_1_relaunches_on_the_exit(tmp_path: Path) -> None:
    """The usual case: the exit is the evidence, read at once (a long --oom-wait changes
    nothing)."""
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path), "--oom-wait", "600"],
              fake("--oom-above", "128", "--steps", "3"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert [(a.batch_size, a.outcome) for a in attempts(tmp_path)] == [
        (256, "oom"), (128, "succeeded")
    ]
    assert "confirmed: exited 1 -> relaunch" in res.stdout, res.stdout


def test_a_server_oom_then_a_500_relaunches_while_the_server_is_up(tmp_path: Path) -> None:
    """The server logs the OOM, then answers the request 500; the client waits silently and
    never exits: the 500 is the evidence, long before --oom-wait."""
    server_log = tmp_path / "server.log"
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path), "--oom-wait", "600",
               "--grace", "2"],
              fake("--oom-above", "128", "--server-log", str(server_log), "--server-500-after",
                   "--steps", "3"), timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    first, second = attempts(tmp_path)
    assert first.outcome == "oom" and first.oom_file == str(server_log)
    assert (second.batch_size, second.outcome) == (128, "succeeded")
    assert "confirmed: the server answered HTTP 5xx" in res.stdout, res.stdout


def test_an_oom_then_a_hang_relaunches_after_the_bounded_wait(tmp_path: Path) -> None:
    """Ranks hung after one died: no exit, no 5xx, no progress: acted on after --oom-wait."""
    res = run(["--batch-size", "256", "--log-dir", str(tmp_path), "--oom-wait", "1",
               "--grace", "2"],
              fake("--oom-above", "128", "--hang-after-oom", "--steps", "3"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert [(a.batch_size, a.outcome) for a in attempts(tmp_path)] == [
        (256, "oom"), (128, "succeeded")
    ]
    assert "confirmed: no progress for 1 s after it -> relaunch" in res.stdout, res.stdout
