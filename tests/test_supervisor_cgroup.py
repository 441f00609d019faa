"""`evalmon run` weighs a SIGKILLed attempt against its memory cgroup's OOM-kill count.

Real kernels only: the kill counted is the kernel's own, in a memory cgroup made for the test
with a limit the job outgrows (skipped where the test may not make one), and the kill not
counted is a job killing itself with SIGKILL under bash, which then prints its ``Killed``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalmon.supervisor.cgroup import MemoryCgroup, _cgroup_mounts, memory_cgroup, oom_kills
from evalmon.supervisor.record import read_record
from tests.waiting import communicate_or_dump

ROOT = str(Path(__file__).resolve().parents[1])
HERE = memory_cgroup(os.getpid())
needs_counter = pytest.mark.skipif(HERE is None, reason="no readable memory cgroup here")


def test_the_counter_of_this_process_is_read_where_the_kernel_has_one() -> None:
    if not Path("/proc/self/cgroup").exists():
        assert HERE is None
        return
    if HERE is None:
        pytest.skip("no memory cgroup counter on this machine")
    assert Path(HERE.counter_file).name in ("memory.events", "memory.oom_control")
    kills = oom_kills(HERE)
    assert kills is not None and kills >= 0


def test_cgroup_mounts_are_read_from_mountinfo_v2_first() -> None:
    # lines as this machine's /proc/self/mountinfo has them, and a cgroup2 mount at the usual
    # place with a space escaped in its path
    mountinfo = [
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
        "41 31 0:38 /a\\040b /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
    ]
    assert _cgroup_mounts(mountinfo) == [
        ("cgroup2", "/a b", "/sys/fs/cgroup/unified", "rw"),
        ("cgroup", "/", "/sys/fs/cgroup/memory", "rw,memory"),
        ("cgroup", "/", "/sys/fs/cgroup/cpu", "rw,cpu"),
    ]


def test_no_cgroup_for_a_process_that_does_not_exist() -> None:
    assert memory_cgroup(2**22 + 12345) is None
    assert oom_kills(MemoryCgroup("/", "/nonexistent/memory.events")) is None


def run(argv: list[str], cwd: Path, cgroup_procs: str | None = None) -> tuple[int, str]:
    def enter() -> None:  # the child joins the test's cgroup before it execs evalmon
        if cgroup_procs is not None:
            Path(cgroup_procs).write_text(str(os.getpid()))

    cmd = [sys.executable, "-X", "faulthandler", "-m", "evalmon.cli.run", "--headless",
           "--log-dir", str(cwd / "logs"), "--", *argv]
    env = {**os.environ, "PYTHONPATH": ROOT}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=cwd, env=env, preexec_fn=enter if cgroup_procs else None)
    out, err = communicate_or_dump(proc, 90)
    return proc.returncode, out + err


@pytest.mark.slow
@needs_counter
def test_bash_killed_with_no_oom_kill_counted_is_not_read_as_an_oom(tmp_path: Path) -> None:
    # in a cgroup of its own where one can be made: v2 counts a child's kills in its parents
    # too, and the next test's kill must not be counted here when both run at once
    job = ["bash", "-c", 'echo starting; python3 -c "import os; os.kill(os.getpid(), 9)"; exit $?']
    with own_cgroup(None, skip=False) as procs:
        code, out = run(job, tmp_path, cgroup_procs=procs)
    assert code == 1, out
    assert "was not the OOM killer's" in out, out
    assert "failed: exited 137 (signal 9?), no GPU OOM in its logs" in out, out
    assert "host (CPU RAM) out of memory" not in out.split("was not the OOM killer's")[1], out
    (attempt,) = read_record(str(tmp_path / "logs")).sessions[-1].ordered_attempts()
    assert attempt.oom_killed is False and attempt.outcome == "failed"


@contextlib.contextmanager
def own_cgroup(limit_bytes: int | None, skip: bool = True) -> Iterator[str | None]:
    """A child of this process's memory cgroup, with a memory limit if given; yields its
    cgroup.procs. Where none can be made: skip the test, or (``skip=False``) yield None."""
    assert HERE is not None
    parent = Path(HERE.counter_file).parent
    child = parent / f"evalmon-test-{os.getpid()}-{limit_bytes or 0}"
    try:
        child.mkdir()
        if limit_bytes is not None:
            name = "memory.max" if HERE.counts_descendants else "memory.limit_in_bytes"
            (child / name).write_text(str(limit_bytes))
        (child / "cgroup.procs").stat()
    except OSError as exc:
        with contextlib.suppress(OSError):
            child.rmdir()
        if skip:
            pytest.skip(f"cannot make a memory cgroup here: {exc}")
        yield None
        return
    try:
        yield str(child / "cgroup.procs")
    finally:
        with contextlib.suppress(OSError):
            child.rmdir()


@pytest.mark.slow
@needs_counter
def test_a_job_the_kernel_oom_kills_silently_fails_as_a_host_oom(tmp_path: Path) -> None:
    job = ["python3", "-c", "print('loading', flush=True); x = bytearray(1536 << 20)"]
    with own_cgroup(384 << 20) as procs:
        code, out = run(job, tmp_path, cgroup_procs=procs)
    assert code == 1, out
    assert "counted 1 OOM kill since the launch" in out, out
    assert (
        "failed: host (CPU RAM) out of memory: the kernel's OOM killer killed 1 process in "
        "the job's memory cgroup" in out
    ), out
    (attempt,) = read_record(str(tmp_path / "logs")).sessions[-1].ordered_attempts()
    assert attempt.oom_killed is True and attempt.exit_code == -9
