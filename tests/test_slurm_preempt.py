"""`evalmon run --slurm --requeue-on preempted,node-fail` on the real single-node cluster
(tests/slurm_cluster.py): a job in the low partition ``debug`` is preempted by a job in
``high`` (preempt/partition_prio, PreemptMode=REQUEUE), or loses its node to
``scontrol update state=down``; evalmon resubmits and the new job resumes from the cache.

What SLURM 22.05 really does (observed on this cluster):

- preempted, submitted ``--no-requeue`` (evalmon's default): ``JobState=PREEMPTED
  ExitCode=0:15``, the log ends ``slurmstepd-localhost: error: *** JOB 3 ON localhost
  CANCELLED AT 2026-12-02T15:34:45 DUE TO PREEMPTION ***``;
- a node set down: ``JobState=NODE_FAIL Reason=NodeDown``, ``... DUE TO NODE FAILURE, SEE
  SLURMCTLD LOG FOR DETAILS ***``; with ReturnToService=2 the node is back within ms;
- a requeueable job (``--requeue``, SLURM's default): COMPLETING with ``Restarts=1``, then
  ``PENDING Reason=BeginTime`` 120 s away; the jobcomp file says PREEMPTED / NODE_FAIL.
  Cancelled while PENDING, the rerun gets a ``CANCELLED`` jobcomp line, written before
  scancel returns; cancelled while its preempted run is still COMPLETING, it is cancelled
  with no jobcomp line at all (``_job_signal`` in slurmctld/job_mgr.c), so the file's last
  line stays PREEMPTED. Which one happens depends on how fast the old run exits.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from evalmon.supervisor.record import read_record
from evalmon.supervisor.slurm import SlurmCommands, SlurmJob
from tests.slurm_cluster import SlurmCluster, slurm_cluster  # noqa: F401
from tests.waiting import wait_for

FAKE = str(Path(__file__).with_name("fake_eval.py"))
ROOT = str(Path(__file__).resolve().parents[1])
NODE = "localhost"

pytestmark = [pytest.mark.slow, pytest.mark.slurm]


def node_state(cluster: SlurmCluster) -> str:
    res = cluster.run("scontrol", "-o", "show", "node", NODE, timeout=15)
    m = re.search(r"\bState=(\S+)", res.stdout)
    return m.group(1) if m else ""


def resume_node(cluster: SlurmCluster) -> None:
    """A node set down comes back by itself (ReturnToService=2); resume it if it did not."""
    if re.search(r"DOWN|DRAIN|FAIL", node_state(cluster)):
        cluster.run("scontrol", "update", f"nodename={NODE}", "state=resume")


@pytest.fixture
def cluster(slurm_cluster: SlurmCluster) -> Iterator[SlurmCluster]:  # noqa: F811
    """The shared cluster, left as found even when the test fails: every job the test
    started cancelled, the node up and idle."""
    before = set(slurm_cluster.run("squeue", "-h", "-t", "all", "-o", "%i").stdout.split())
    try:
        yield slurm_cluster
    finally:
        live = slurm_cluster.run("squeue", "-h", "-o", "%i").stdout.split()
        for job in sorted(set(live) - before):
            slurm_cluster.run("scancel", job)
        resume_node(slurm_cluster)
        wait_for(lambda: node_state(slurm_cluster) == "IDLE", timeout=60,
                 what="the node idle again", step=0.2)


def write_script(tmp: Path, name: str, *extra: str) -> Path:
    """10 steps of 1 s with lm-eval's cache emulated; every start stamped in ``stamps``."""
    script = tmp / "eval.sbatch"
    script.write_text(
        "#!/bin/bash\n"
        f"#SBATCH --job-name={name}\n"
        f"exec {sys.executable} -u {FAKE} --size-env BATCH_SIZE --steps 10 --step-s 1 "
        f"--cache --stamp-file {tmp / 'stamps'} {' '.join(extra)}\n"
    )
    script.chmod(0o755)
    return script


@contextlib.contextmanager
def evalmon(cluster: SlurmCluster, tmp: Path, opts: list[str]) -> Iterator[subprocess.Popen]:
    """evalmon run --slurm in the background; stopped (it scancels its job) if still there."""
    argv = [sys.executable, "-m", "evalmon.cli.run", "--slurm", "--headless",
            "--batch-size", "8", "--batch-env", "BATCH_SIZE", "--log-dir", str(tmp / "logs"),
            *opts, "--", str(tmp / "eval.sbatch")]
    with open(tmp / "evalmon.out", "w") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=cluster.env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def first_job_after_progress(tmp: Path, steps: int = 2) -> str:
    """attempt 1's job id, once it has cached ``steps`` requests (so a resume has work)."""
    def progressed() -> bool:
        return any(len(p.read_text().split()) >= steps
                   for p in (tmp / "logs").glob(".evalmon/cache/*_fake.txt"))

    wait_for(progressed, timeout=60, what=f"{steps} cached requests", step=0.1)
    (first,) = read_record(str(tmp / "logs")).sessions[-1].ordered_attempts()
    assert first.slurm_job_id
    return first.slurm_job_id


def preempt(cluster: SlurmCluster, name: str) -> None:
    """A job in the high partition that needs the whole node: SLURM preempts ours."""
    res = cluster.run("sbatch", "--parsable", "-p", "high", "--exclusive", "-J", f"{name}-high",
                      "-o", "/dev/null", "--wrap", "sleep 2")
    assert res.returncode == 0, res.stderr


def fail_node(cluster: SlurmCluster) -> None:
    res = cluster.run("scontrol", "update", f"nodename={NODE}", "state=down",
                      "reason=evalmon-test")
    assert res.returncode == 0, res.stderr
    resume_node(cluster)


def finish(proc: subprocess.Popen, tmp: Path, timeout: float = 90) -> str:
    proc.wait(timeout=timeout)
    return (tmp / "evalmon.out").read_text()


def starts(tmp: Path) -> int:
    """How many times the eval itself started (never more than the attempts)."""
    return sum(line.startswith("start ") for line in (tmp / "stamps").read_text().splitlines())


def cached_in(log: str) -> int:
    return int(Path(log).read_text().split("Cached requests: ")[1].split(",")[0])


def jobcomp(cluster: SlurmCluster, job: str) -> str:
    return cluster.run("sacct", "-c", "-n", "-j", job, "-P", "-o", "jobid,state").stdout


BANNER_STATE = {"preempted": "PREEMPTED", "node_fail": "NODE_FAIL"}
BANNER = {
    # slurmstepd's req.c, SLURM 22.05: error("*** %s ON %s CANCELLED AT %s DUE TO ...")
    "preempted": r"DUE TO PREEMPTION \*\*\*",
    "node_fail": r"DUE TO NODE FAILURE, SEE SLURMCTLD LOG FOR DETAILS \*\*\*",
}


@pytest.mark.parametrize("cause", ["preempted", "node_fail"])
def test_preempted_or_node_failed_job_is_resubmitted_and_resumes(
    cluster: SlurmCluster, tmp_path: Path, cause: str
) -> None:
    name = f"{cause[:4]}-{uuid.uuid4().hex[:6]}"
    write_script(tmp_path, name)
    flag = cause.replace("_", "-")
    with evalmon(cluster, tmp_path, ["--requeue-on", flag]) as proc:
        job = first_job_after_progress(tmp_path)
        preempt(cluster, name) if cause == "preempted" else fail_node(cluster)
        out = finish(proc, tmp_path)
    assert proc.returncode == 0, out
    first, second = read_record(str(tmp_path / "logs")).sessions[-1].ordered_attempts()
    assert (first.slurm_job_id, first.batch_size, first.outcome) == (job, 8, cause), out
    state = BANNER_STATE[cause]
    assert first.state.startswith(state), first.state
    assert "relaunching at batch size 8" in first.reason, first.reason
    assert state in jobcomp(cluster, job)
    # the job's own last words, exactly as slurmstepd writes them
    banner = (rf"slurmstepd-{NODE}: error: \*\*\* JOB {job} ON {NODE} CANCELLED AT "
              rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d {BANNER[cause]}")
    assert re.search(banner, Path(first.log_files[0]).read_text()), first.log_files
    assert (second.batch_size, second.outcome) == (8, "succeeded"), out
    assert second.slurm_job_id != job and second.state.startswith("COMPLETED")
    assert cached_in(second.log_files[0]) > 0
    assert starts(tmp_path) == 2  # the preempted job never ran again behind evalmon


@pytest.mark.parametrize(
    ("opts", "reason"),
    [
        (["--requeue-on", "timeout,node-fail"], "not relaunched (see --requeue-on)"),
        (["--requeue-on", "preempted", "--max-attempts", "1"], "max attempts (1) reached"),
    ],
    ids=["not-asked", "max-attempts"],
)
def test_preemption_not_resubmitted_says_why(
    cluster: SlurmCluster, tmp_path: Path, opts: list[str], reason: str
) -> None:
    name = f"nore-{uuid.uuid4().hex[:6]}"
    write_script(tmp_path, name)
    with evalmon(cluster, tmp_path, opts) as proc:
        job = first_job_after_progress(tmp_path)
        preempt(cluster, name)
        out = finish(proc, tmp_path)
    assert proc.returncode == 1, out
    (only,) = read_record(str(tmp_path / "logs")).sessions[-1].ordered_attempts()
    assert (only.slurm_job_id, only.outcome) == (job, "preempted"), out
    assert only.state.startswith("PREEMPTED") and reason in only.reason, only.reason
    assert f"preempted by SLURM (PREEMPTED): {reason}" in out or reason in out, out
    jobs = cluster.run("squeue", "-h", "-t", "all", "-n", name, "-o", "%i").stdout.split()
    assert jobs == [job]  # nothing resubmitted
    assert starts(tmp_path) == 1


@pytest.mark.parametrize(
    ("cause", "exits_on_sigterm"),
    [("preempted", True), ("node_fail", True), ("preempted", False)],
    ids=["preempted", "node_fail", "preempted-slow-exit"],
)
def test_a_job_slurm_requeues_itself_never_runs_twice(
    cluster: SlurmCluster, tmp_path: Path, cause: str, exits_on_sigterm: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--requeue asked by the user: SLURM requeues the job under the same id (a rerun
    120 s later, over its own log). evalmon cancels that rerun and resubmits instead.
    A job that ignores SIGTERM keeps its preempted run COMPLETING for KillWait (5 s), so
    evalmon's cancel lands there: SLURM then writes no jobcomp line for the cancel."""
    name = f"slrq-{uuid.uuid4().hex[:6]}"
    write_script(tmp_path, name, *([] if exits_on_sigterm else ["--ignore-sigterm"]))
    with evalmon(cluster, tmp_path, ["--requeue-on", "preempted,node-fail",
                                     "--sbatch-arg=--requeue"]) as proc:
        job = first_job_after_progress(tmp_path)
        preempt(cluster, name) if cause == "preempted" else fail_node(cluster)
        out = finish(proc, tmp_path)
    assert proc.returncode == 0, out
    first, second = read_record(str(tmp_path / "logs")).sessions[-1].ordered_attempts()
    assert (first.slurm_job_id, first.outcome, second.outcome) == (job, cause, "succeeded"), out
    run_state = BANNER_STATE[cause]
    state = f"{run_state} (SLURM's requeue cancelled)"
    assert first.state == state and f"({state});" in first.reason, first.reason
    info = cluster.run("scontrol", "-o", "show", "job", job).stdout
    assert "JobState=CANCELLED" in info and "Restarts=1" in info, info
    # a line per run; the cancel's line, when SLURM writes one, was written before scancel
    # returned (so before scontrol said CANCELLED)
    lines = jobcomp(cluster, job).split()
    cancelled = f"{job}|CANCELLED"
    if exits_on_sigterm:
        assert lines in ([f"{job}|{run_state}"], [f"{job}|{run_state}", cancelled]), lines
    else:
        assert lines == [f"{job}|{run_state}"], lines
    # once scontrol forgets the job, evalmon reads the last run SLURM wrote
    monkeypatch.setenv("SLURM_CONF", cluster.conf)
    late = SlurmJob(job, SlurmCommands())
    late._query_sacct()
    assert late.state == lines[-1].split("|")[1], (late.state, lines)
    assert cached_in(second.log_files[0]) > 0
    assert starts(tmp_path) == 2


def test_a_rerun_slurm_made_while_evalmon_was_away_is_adopted_once(
    cluster: SlurmCluster, tmp_path: Path
) -> None:
    """evalmon killed, then SLURM preempts and requeues its (--requeue) job: the restarted
    evalmon adopts the requeued job and follows SLURM's rerun as the same attempt. The
    rerun's COMPLETED wins over the PREEMPTION line it read before: succeeded, not relaunched
    a third time."""
    name = f"away-{uuid.uuid4().hex[:6]}"
    write_script(tmp_path, name)
    opts = ["--requeue-on", "preempted", "--sbatch-arg=--requeue"]
    with evalmon(cluster, tmp_path, opts) as first:
        job = first_job_after_progress(tmp_path)
        first.kill()
        first.wait()
    preempt(cluster, name)
    show = lambda: cluster.run("scontrol", "-o", "show", "job", job).stdout  # noqa: E731
    wait_for(lambda: "JobState=PENDING" in show() and "Restarts=1" in show(), timeout=30,
             what="SLURM's requeue of the preempted job", step=0.2)
    assert re.search(BANNER["preempted"], (tmp_path / "logs" / f"slurm-{job}.out").read_text())
    with evalmon(cluster, tmp_path, opts) as second:
        wait_for(lambda: f"adopted attempt 1 (job {job})" in (tmp_path / "evalmon.out")
                 .read_text(), timeout=30, what="the adoption", step=0.1)
        # lift SLURM's 120 s BeginTime: the rerun starts now
        cluster.run("scontrol", "update", f"JobId={job}", "StartTime=now")
        out = finish(second, tmp_path)
    assert second.returncode == 0, out
    (only,) = read_record(str(tmp_path / "logs")).sessions[-1].ordered_attempts()
    assert (only.slurm_job_id, only.outcome) == (job, "succeeded"), out
    assert only.state.startswith("COMPLETED"), only.state
    jobs = cluster.run("squeue", "-h", "-t", "all", "-n", name, "-o", "%i").stdout.split()
    assert jobs == [job]  # SLURM's rerun was the only second run
    assert starts(tmp_path) == 2
    assert cached_in(f"{tmp_path}/logs/slurm-{job}.out") > 0


def test_time_waiting_in_the_queue_is_not_a_stall(cluster: SlurmCluster, tmp_path: Path) -> None:
    """After a preemption the resubmitted job waits for the preemptor, often far longer than
    --stall-timeout: a PENDING job has not started, so it cannot be stalled (evalmon used to
    cancel it, losing its place in the queue, and resubmit it)."""
    name = f"wait-{uuid.uuid4().hex[:6]}"
    write_script(tmp_path, name)
    hold = cluster.run("sbatch", "--parsable", "-p", "high", "--exclusive", "-J", f"{name}-hold",
                       "-o", "/dev/null", "--wrap", "sleep 20")
    assert hold.returncode == 0, hold.stderr
    holder = hold.stdout.strip()
    wait_for(lambda: cluster.run("squeue", "-h", "-j", holder, "-o", "%T").stdout.strip()
             == "RUNNING", timeout=30, what="the node taken", step=0.2)
    with evalmon(cluster, tmp_path, ["--stall-timeout", "8"]) as proc:
        out = finish(proc, tmp_path)
    assert proc.returncode == 0, out
    (only,) = read_record(str(tmp_path / "logs")).sessions[-1].ordered_attempts()
    assert only.outcome == "succeeded" and "no progress" not in out, out
    info = cluster.run("scontrol", "-o", "show", "job", str(only.slurm_job_id)).stdout
    when = {k: datetime.datetime.fromisoformat(v)
            for k, v in re.findall(r"\b(SubmitTime|StartTime)=(\S+)", info)}
    assert (when["StartTime"] - when["SubmitTime"]).total_seconds() > 8  # it did wait


def lift_begin_time(cluster: SlurmCluster, job: str, requeued_at: float) -> None:
    """Lift SLURM's 120 s BeginTime of a requeued job so that its rerun starts now.

    slurmd revokes the old run's credential with a whole-second time and refuses a credential
    issued in that same second ("Job credential revoked", "already killed, do not launch"):
    the lift waits for the clock to pass the requeue's second by one.
    """
    wait_for(lambda: int(time.time()) >= int(requeued_at) + 2, timeout=5,
             what="a new second after the requeue", step=0.05)
    cluster.run("scontrol", "update", f"JobId={job}", "StartTime=now")


def test_an_operators_requeue_is_followed_as_the_same_attempt(
    cluster: SlurmCluster, tmp_path: Path
) -> None:
    """``scontrol requeue`` (of a --requeue job; evalmon's own --no-requeue jobs refuse it:
    'Requested operation is presently disabled'): not a cause evalmon resubmits for, so
    SLURM's rerun is followed as the same attempt and succeeds; still one job."""
    name = f"oper-{uuid.uuid4().hex[:6]}"
    write_script(tmp_path, name)
    with evalmon(cluster, tmp_path, ["--requeue-on", "preempted,node-fail",
                                     "--sbatch-arg=--requeue"]) as proc:
        job = first_job_after_progress(tmp_path)
        requeued_at = time.time()
        res = cluster.run("scontrol", "requeue", job)
        assert res.returncode == 0, res.stderr
        wait_for(lambda: f"attempt 1 (job {job}): PENDING" in (tmp_path / "evalmon.out")
                 .read_text(), timeout=30, what="the requeued job seen pending", step=0.1)
        # SLURM holds a requeued job back 120 s (BeginTime), long past its first run's end;
        # the test lifts that only once the first run is gone: a launch while slurmd still
        # cleans up the old one fails (seen under load: PENDING, then FAILED, never started)
        first_pid = int((tmp_path / "stamps").read_text().split()[1])
        wait_for(lambda: not psutil.pid_exists(first_pid), timeout=60,
                 what="the first run's process gone", step=0.1)
        wait_for(lambda: cluster.run("squeue", "-h", "-j", job, "-o", "%T").stdout.strip()
                 == "PENDING", timeout=60, what="the job pending, nothing of it running", step=0.2)
        lift_begin_time(cluster, job, requeued_at)
        try:
            out = finish(proc, tmp_path)
        except subprocess.TimeoutExpired:
            pytest.fail("evalmon still running\n" + (tmp_path / "evalmon.out").read_text()
                        + cluster.job_story(job))
    assert proc.returncode == 0, out + cluster.job_story(job)
    (only,) = read_record(str(tmp_path / "logs")).sessions[-1].ordered_attempts()
    assert (only.slurm_job_id, only.outcome) == (job, "succeeded"), out
    assert starts(tmp_path) == 2  # SLURM's rerun, nothing else
    assert cached_in(f"{tmp_path}/logs/slurm-{job}.out") > 0
