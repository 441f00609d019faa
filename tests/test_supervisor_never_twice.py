"""The supervisor never runs a job twice or loses one (issue 15): real processes, real kills.

Each case here was found by an adversarial run against the supervisor before the launch
intent, the environment markers and the record-path checks existed, and failed then.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

import psutil
import pytest

from evalmon.supervisor.record import read_record, record_path
from tests.test_supervisor_local import (
    ROOT,
    attempts,
    evalmon_run,
    fake,
    recorded_pid,
    run,
    wait_for,
)
from tests.waiting import communicate_or_dump

pytestmark = pytest.mark.slow


def pids_in(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_a_torn_record_line_never_hides_the_running_job(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    opts = ["--batch-size", "64", "--log-dir", str(tmp_path)]
    command = fake("--steps", "40", "--step-s", "0.1", "--pid-file", str(pids))
    first = subprocess.Popen(evalmon_run(opts, command), cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: recorded_pid(tmp_path), 20, "attempt recorded")
    job_pid = int(wait_for(lambda: pids_in(pids), 20, "the job to start")[0])
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    # what a crash or a full disk leaves: the session line, then half of an attempt line
    path = Path(record_path(str(tmp_path)))
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + lines[1][: len(lines[1]) // 2])
    assert read_record(str(tmp_path)).sessions[-1].attempts == {}
    res = run(opts, command, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert pids_in(pids) == [str(job_pid)]  # no second copy was started
    assert "adopting it instead of starting a second copy" in res.stdout
    session = read_record(str(tmp_path)).sessions[-1]
    (only,) = session.ordered_attempts()
    assert only.outcome == "succeeded" and only.pid is not None


def test_killed_between_the_launch_and_its_record_the_job_is_adopted(tmp_path: Path) -> None:
    pids = tmp_path / "pids.txt"
    opts = ["--batch-size", "64", "--log-dir", str(tmp_path)]
    command = fake("--steps", "30", "--step-s", "0.1", "--pid-file", str(pids))
    env = {**os.environ, "EVALMON_TEST_KILL_AFTER_LAUNCH": "1"}
    first = subprocess.run(evalmon_run(opts, command), cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=60, check=False)
    assert first.returncode == -signal.SIGKILL, first.stdout + first.stderr
    job_pid = int(wait_for(lambda: pids_in(pids), 20, "the job to start")[0])
    assert psutil.pid_exists(job_pid)
    (intent,) = read_record(str(tmp_path)).sessions[-1].ordered_attempts()
    assert intent.pid is None and intent.launch_token and intent.state == "launching"
    res = run(opts, command, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "adopted attempt 1" in res.stdout
    assert pids_in(pids) == [str(job_pid)]
    (only,) = attempts(tmp_path)
    assert only.outcome == "succeeded" and only.pid is not None


def test_children_that_call_setsid_are_stopped_with_the_job(tmp_path: Path) -> None:
    child_pids = tmp_path / "setsid.txt"
    job = subprocess.Popen(
        evalmon_run(["--batch-size", "8", "--log-dir", str(tmp_path), "--grace", "2"],
                    fake("--steps", "200", "--step-s", "0.1", "--setsid-child", str(child_pids))),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        child = int(wait_for(lambda: pids_in(child_pids), 20, "the setsid child")[0])
        leader = int(wait_for(lambda: recorded_pid(tmp_path), 20, "attempt recorded"))
        assert os.getpgid(child) != leader and os.getsid(child) != leader  # it left them
        job.send_signal(signal.SIGTERM)
        out, _ = job.communicate(timeout=30)
        assert job.returncode == 1, out
        assert attempts(tmp_path)[-1].outcome == "cancelled"
        wait_for(lambda: not psutil.pid_exists(child) or
                 psutil.Process(child).status() == psutil.STATUS_ZOMBIE, 5, "the child to go")
    finally:  # whatever failed above, leave nothing behind
        with contextlib.suppress(ProcessLookupError):
            job.kill()
        for pid in pids_in(child_pids):
            with contextlib.suppress(psutil.Error, OSError):
                if "fake_eval" in " ".join(psutil.Process(int(pid)).cmdline()):
                    os.kill(int(pid), signal.SIGKILL)


def test_a_stop_asked_for_during_an_oom_stop_wins(tmp_path: Path) -> None:
    """The job ignores SIGTERM after its OOM: evalmon waits --grace; Ctrl-C meanwhile."""
    proc = subprocess.Popen(
        evalmon_run(["--batch-size", "256", "--log-dir", str(tmp_path), "--grace", "3",
                     "--oom-wait", "0.5"],  # it hangs after its OOM: acted on after 0.5 s
                    fake("--oom-above", "16", "--ignore-sigterm", "--steps", "3")),
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # Ctrl-C reaches evalmon even when this suite was started in the background, where
        # the shell ignores SIGINT for it and evalmon would keep that, as under nohup
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("evalmon: OOM at") and " confirmed: " in line:
                break  # the stop begins right after this line
        proc.send_signal(signal.SIGINT)
        rest, _ = communicate_or_dump(proc, 60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    out = "".join(lines) + rest
    assert proc.returncode == 1, out
    assert [(a.batch_size, a.outcome) for a in attempts(tmp_path)] == [(256, "oom")], out
    assert not (tmp_path / "attempt-2.out").exists(), out
    assert read_record(str(tmp_path)).sessions[-1].final_state == "cancelled"


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_a_record_path_that_is_not_a_file_is_one_line_and_no_job(tmp_path: Path, kind) -> None:
    path = Path(record_path(str(tmp_path)))
    path.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    res = run(["--batch-size", "8", "--log-dir", str(tmp_path)], fake(), timeout=30)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    errors = [line for line in out.splitlines() if line.startswith("evalmon: error")]
    assert len(errors) == 1, out
    assert "Traceback" not in out and "internal error" not in out
    assert not (tmp_path / "attempt-1.out").exists()


@pytest.fixture
def full_disk(tmp_path: Path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mnt)], capture_output=True,
        check=False,
    ).returncode != 0:
        pytest.skip("needs root and tmpfs mounts for a real full disk")
    try:
        with contextlib.suppress(OSError), open(mnt / "filler", "wb") as fh:
            while True:
                fh.write(b"x" * 4096)
                fh.flush()
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_is_one_clear_line_and_no_job(full_disk: Path) -> None:
    res = run(["--batch-size", "8", "--log-dir", str(full_disk)], fake(), timeout=30)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "internal error" not in out and "Traceback" not in out
    assert "No space left on device (the disk or quota is full)" in out
    assert "no job was launched" in out
    assert not (full_disk / "attempt-1.out").exists()


def test_a_full_disk_record_in_process(tmp_path: Path, monkeypatch) -> None:
    """The same path without root: the record's write fails with ENOSPC."""
    import errno

    from evalmon.supervisor import record as record_mod

    writer = record_mod.RecordWriter(str(tmp_path)).open()
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if fd == writer._fd:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(record_mod.os, "write", full)
    with pytest.raises(record_mod.RecordError, match="the disk or quota is full"):
        writer.session("s", "run", ["x"], 0.0)
    writer.close()

