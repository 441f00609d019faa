"""Live re-tuning: a request relaunches the running job NOW at new values (control.py).

The supervisor tests run the real `evalmon run --headless` on tests/fake_eval.py (its --cache
emulates lm-eval's request cache in $EVALMON_CACHE), and send requests the way a user does:
`evalmon run --retune` (control.send) or a hand-written control file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalmon.supervisor import argv as argv_mod
from evalmon.supervisor import control
from evalmon.supervisor.model import Attempt
from evalmon.supervisor.policy import Policy
from evalmon.supervisor.record import RecordWriter, read_record
from tests.waiting import wait_for

FAKE = str(Path(__file__).with_name("fake_eval.py"))
ROOT = str(Path(__file__).resolve().parents[1])


# --------------------------------------------------------------------------- pure parts


def test_requests_parse_from_the_control_files_form() -> None:
    assert control.parse_request("128") == control.Retune(128)
    assert control.parse_request("batch_size=64\nnum_concurrent=4\nid=ab12") == control.Retune(
        64, 4, id="ab12")
    assert control.parse_request("num_concurrent=2") == control.Retune(None, 2)
    assert control.parse_request("batch_size=64,num_concurrent=1") == control.Retune(64, 1)
    for bad in ("", "batch_size=abc", "batch_size=-3", "colour=red", "batch_size=1e3",
                "batch_size=1;rm -rf ~", "batch_size=1,batch_size=2", "id=x"):
        with pytest.raises(control.ControlError):
            control.parse_request(bad)
    # the text form parses back to the same request
    request = control.Retune(32, 8, id="f00")
    assert control.parse_request(request.to_text()) == request


def facts(command: tuple[str, ...] = ("lm_eval", "run", "--batch_size", "64"),
          **kw: object) -> control.JobFacts:
    return control.JobFacts(command=command, launcher="local",
                            policy=Policy(initial_batch_size=64, min_batch_size=8), **kw)  # type: ignore[arg-type]


RUNNING = Attempt(2, 64, started_at=0.0, pid=42, outcome="running")


def test_a_request_is_checked_against_the_running_attempt() -> None:
    assert "no attempt is running" in control.preview(control.Retune(128), None, facts()).error
    ended = Attempt(2, 64, started_at=0.0, ended_at=5.0, outcome="oom")
    assert "no attempt is running" in control.preview(control.Retune(128), ended, facts()).error
    assert "already runs at batch 64" in control.preview(
        control.Retune(64), RUNNING, facts()).error
    assert "--min-batch-size 8" in control.preview(control.Retune(4), RUNNING, facts()).error
    assert "a typo" in control.preview(control.Retune(10**6), RUNNING, facts()).error
    # an attempt already being stopped (an OOM) takes no request: it would be dropped unseen
    assert "already: ask again once the next one runs" in control.preview(
        control.Retune(128), RUNNING, facts(), state="stopping").error
    script = facts(command=("bash", "eval.sh"))
    assert "cannot give this job a batch size" in control.preview(
        control.Retune(128), RUNNING, script).error
    ok = control.preview(control.Retune(128), RUNNING, facts(cache_path="/l/.evalmon/cache/r"))
    assert ok.ok and ok.target_batch == 128
    # what will happen, said before it happens
    assert "batch 64 → 128" in ok.plan and "Attempt 2 is stopped now" in ok.plan
    assert "recorded as 'retuned'" in ok.plan and "attempt 3 starts at batch 128" in ok.plan
    assert "/l/.evalmon/cache/r" in ok.plan and "does not count toward --max-attempts" in ok.plan


def test_concurrency_goes_into_model_args_or_the_environment() -> None:
    argv = ["lm_eval", "run", "--model_args", "model=m,num_concurrent=1,max_retries=3"]
    assert control.command_concurrency(argv) == 1
    out, env = control.with_concurrency(argv, {}, 4)
    assert out[-1] == "model=m,num_concurrent=4,max_retries=3"
    assert env["EVALMON_NUM_CONCURRENT"] == "4"
    out, env = control.with_concurrency(["bash", "eval.sh"], {}, 4)
    assert out == ["bash", "eval.sh"] and env["NUM_CONCURRENT"] == "4"
    assert control.with_concurrency(argv, {}, None) == (argv, {})
    # the retune's value holds for the attempts after it, read from the record
    retuned = Attempt(1, 64, started_at=0.0, outcome="retuned", retune="num_concurrent=4\n")
    assert control.concurrency_after([retuned]) == 4
    assert control.concurrency_after([retuned, Attempt(2, 32, 0.0, num_concurrent=4,
                                                       outcome="oom")]) == 4


def test_a_retuned_attempt_does_not_count_toward_max_attempts() -> None:
    base = Policy(max_attempts=2)
    attempts = [Attempt(1, 64, 0.0, outcome="retuned"), Attempt(2, 128, 0.0, outcome="oom")]
    assert control.effective_policy(base, attempts).max_attempts == 3
    assert control.effective_policy(base, attempts[1:]) is base


def test_a_request_with_no_supervisor_there_is_not_written(tmp_path: Path) -> None:
    code, message = control.send(str(tmp_path), control.Retune(128))
    assert code == 1 and f"no evalmon run is supervising {tmp_path}" in message
    assert not os.path.exists(control.control_path(str(tmp_path)))  # no stale request left
    with RecordWriter(str(tmp_path)):  # the lock a supervisor holds: seen, never taken
        lock = os.path.join(tmp_path, ".evalmon", "lock")
        assert control._flock_listed(lock) and control.supervisor_running(str(tmp_path))
    assert not control.supervisor_running(str(tmp_path))


# --------------------------------------------------------------------------- the real loop


def fake_job(*args: str) -> list[str]:
    return [sys.executable, FAKE, "--batch_size", "{batch_size}", "--cache", *args]


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """`evalmon run --headless` on a fake job of 60 steps of 0.15 s, started at batch 64."""

    def start(*opts: str, steps: str = "60") -> subprocess.Popen[str]:
        cmd = [sys.executable, "-m", "evalmon.cli.run", "--headless", "--batch-size", "64",
               "--log-dir", str(tmp_path), "--grace", "2", *opts, "--",
               *fake_job("--steps", steps, "--step-s", "0.15")]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, cwd=ROOT)
        procs.append(proc)
        return proc

    procs: list[subprocess.Popen[str]] = []
    yield start, tmp_path  # type: ignore[misc]
    for proc in procs:  # a failed test leaves no supervisor (and so no job) behind
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)


def attempts(log_dir: Path) -> tuple[Attempt, ...]:
    sessions = read_record(str(log_dir)).sessions
    return sessions[-1].ordered_attempts() if sessions else ()


def progressed(log_dir: Path, number: int) -> bool:
    """The attempt answered some requests (so the cache holds them)."""
    err = log_dir / f"attempt-{number}.err"
    return err.exists() and re.search(r"Requesting API: +\d+%\|[^|]*\| [1-9]", err.read_text())


def cached_requests(log_dir: Path, number: int) -> int:
    found = re.search(r"Cached requests: (\d+)", (log_dir / f"attempt-{number}.err").read_text())
    return int(found.group(1)) if found else -1


@pytest.mark.slow
def test_a_control_request_relaunches_the_running_job_at_the_new_batch_size(supervised) -> None:
    start, log_dir = supervised
    proc = start("--max-attempts", "1")  # the retune's relaunch does not count toward it
    wait_for(lambda: progressed(log_dir, 1), 60, "attempt 1 to answer requests")
    code, message = control.send(str(log_dir), control.Retune(batch_size=128))
    assert code == 0, message
    assert "attempt 1 is stopped and relaunched at batch 128" in message
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    first, second = attempts(log_dir)
    assert (first.batch_size, first.outcome) == (64, "retuned")
    assert first.reason == "relaunched at batch 128 by the user (control file)"
    assert first.retune.startswith("batch_size=128")
    assert (second.batch_size, second.outcome) == (128, "succeeded")
    # the job was given the new size, and resumed from the cache the first attempt filled
    assert "batch_size: 128" in (log_dir / "attempt-2.out").read_text()
    assert cached_requests(log_dir, 2) > 0
    assert "retune: relaunched at batch 128 by the user (control file)" in out
    assert not os.path.exists(control.control_path(str(log_dir)))  # one request, one relaunch
    # the stopped attempt's run is cancelled in the report (as on the dashboard), not running
    report = subprocess.run([sys.executable, "-m", "evalmon", "report", "--format", "json",
                             str(log_dir)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    status = {r["id"]: r["status"] for r in json.loads(report.stdout)["runs"]}
    assert status == {"1": "cancelled", "2": "finished"}, status


@pytest.mark.slow
def test_bad_control_files_change_nothing(supervised) -> None:
    start, log_dir = supervised
    proc = start(steps="100")
    wait_for(lambda: progressed(log_dir, 1), 60, "attempt 1 to answer requests")
    path = Path(control.control_path(str(log_dir)))
    gone = lambda: not path.exists()  # noqa: E731 - the supervisor consumed it

    def write(text: str, mode: int = 0o600, owner: int | None = None) -> None:
        tmp = path.with_name("tmp-test")
        tmp.write_text(text)
        os.chmod(tmp, mode)
        if owner is not None:
            os.chown(tmp, owner, owner)
        os.replace(tmp, path)  # whole, at once: never read half-made
        wait_for(gone, 30, "the supervisor to read the control file")

    write("batch_size=lots")
    write("batch_size=256", mode=0o666)  # others could have written it
    os.symlink("/etc/hostname", path)
    wait_for(gone, 30, "the supervisor to drop the symbolic link")
    if os.geteuid() == 0:  # another user's file (root can make one)
        write("batch_size=256", owner=65534)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    ignored = [line for line in out.splitlines() if "retune request ignored" in line]
    assert "batch_size must be a positive whole number, got 'lots'" in ignored[0]
    assert "writable by group or others" in ignored[1]
    assert "symbolic link" in ignored[2]
    if os.geteuid() == 0:
        assert "owned by uid 65534" in ignored[3]
    (only,) = attempts(log_dir)  # nothing changed: the one attempt ran to its end
    assert (only.batch_size, only.outcome) == (64, "succeeded")


@pytest.mark.slow
def test_an_evalmon_killed_after_a_retune_launches_at_what_was_asked(tmp_path: Path) -> None:
    """evalmon died after the retuned attempt ended, before the next launch: the same command
    again launches at the values the record says were asked for."""
    command = fake_job("--steps", "3", "--step-s", "0.05")
    now = time.time()
    with RecordWriter(str(tmp_path)) as record:
        record.session("s1", argv_mod.run_key(command, "local"), command, now)
        record.attempt("s1", Attempt(1, 64, now - 5, ended_at=now - 1, outcome="retuned",
                                     reason="relaunched at batch 128, num_concurrent 4 by the "
                                     "user", retune="batch_size=128\nnum_concurrent=4\n"))
    res = subprocess.run(
        [sys.executable, "-m", "evalmon.cli.run", "--headless", "--batch-size", "64",
         "--max-attempts", "1", "--log-dir", str(tmp_path), "--", *command],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    _, second = attempts(tmp_path)
    assert (second.batch_size, second.num_concurrent, second.outcome) == (128, 4, "succeeded")
    assert "batch_size: 128" in (tmp_path / "attempt-2.out").read_text()
