"""SLURM job messages (evalmon.parsers.slurm)."""

from __future__ import annotations

import pytest

from evalmon.events import JobSignal
from evalmon.parsers.slurm import CANDIDATE, parse

T = "2026-11-24T03:07:11"

CASES: list[tuple[str, JobSignal]] = [
    (
        f"slurmstepd: error: *** JOB 123 ON node01 CANCELLED AT {T} DUE TO TIME LIMIT ***",
        JobSignal(
            kind="time_limit",
            job_id="123",
            host="node01",
            when=T,
            message=f"*** JOB 123 ON node01 CANCELLED AT {T} DUE TO TIME LIMIT ***",
        ),
    ),
    (
        f"slurmstepd-localhost: error: *** JOB 2 ON localhost CANCELLED AT {T} ***",
        JobSignal(
            kind="cancelled",
            job_id="2",
            host="localhost",
            when=T,
            message=f"*** JOB 2 ON localhost CANCELLED AT {T} ***",
        ),
    ),
    (
        f"slurmstepd: error: *** JOB 123 ON node01 CANCELLED AT {T} DUE TO PREEMPTION ***",
        JobSignal(
            kind="preempted",
            job_id="123",
            host="node01",
            when=T,
            message=f"*** JOB 123 ON node01 CANCELLED AT {T} DUE TO PREEMPTION ***",
        ),
    ),
    (
        f"slurmstepd: error: *** JOB 123 ON node01 CANCELLED AT {T} DUE TO NODE FAILURE, "
        "SEE SLURMCTLD LOG FOR DETAILS ***",
        JobSignal(
            kind="node_fail",
            job_id="123",
            host="node01",
            when=T,
            message=f"*** JOB 123 ON node01 CANCELLED AT {T} DUE TO NODE FAILURE, "
            "SEE SLURMCTLD LOG FOR DETAILS ***",
        ),
    ),
    (
        f"slurmstepd: error: *** JOB 4 ON cs-x CANCELLED AT {T} DUE TO JOB REQUEUE ***",
        JobSignal(
            kind="requeued",
            job_id="4",
            host="cs-x",
            when=T,
            message=f"*** JOB 4 ON cs-x CANCELLED AT {T} DUE TO JOB REQUEUE ***",
        ),
    ),
    (
        f"slurmstepd: error: *** STEP 123.0 ON node01 CANCELLED AT {T} ***",
        JobSignal(
            kind="cancelled",
            job_id="123.0",
            host="node01",
            when=T,
            message=f"*** STEP 123.0 ON node01 CANCELLED AT {T} ***",
        ),
    ),
    (
        f"srun: error: *** STEP 123.0 CANCELLED AT {T} DUE TO TIME LIMIT ***",
        JobSignal(
            kind="time_limit",
            job_id="123.0",
            when=T,
            message=f"*** STEP 123.0 CANCELLED AT {T} DUE TO TIME LIMIT ***",
        ),
    ),
    # older releases put the host after the reason or after the banner
    (
        f"slurmstepd: error: *** JOB 9 CANCELLED AT {T} DUE TO TIME LIMIT on node07 ***",
        JobSignal(
            kind="time_limit",
            job_id="9",
            host="node07",
            when=T,
            message=f"*** JOB 9 CANCELLED AT {T} DUE TO TIME LIMIT on node07 ***",
        ),
    ),
    (
        f"slurmstepd: error: *** JOB 9 CANCELLED AT {T} *** on node07",
        JobSignal(
            kind="cancelled",
            job_id="9",
            host="node07",
            when=T,
            message=f"*** JOB 9 CANCELLED AT {T} *** on node07",
        ),
    ),
    (
        f"slurmstepd: error: *** JOB 9 CANCELLED AT {T} DUE TO NODE node07 FAILURE ***",
        JobSignal(
            kind="node_fail",
            job_id="9",
            when=T,
            message=f"*** JOB 9 CANCELLED AT {T} DUE TO NODE node07 FAILURE ***",
        ),
    ),
    # requeue notices from SLURM tools
    (
        "slurmstepd: job 123 requeued",
        JobSignal(kind="requeued", job_id="123", message="slurmstepd: job 123 requeued"),
    ),
    (
        "srun: Job 77 REQUEUED by user",
        JobSignal(kind="requeued", job_id="77", message="srun: Job 77 REQUEUED by user"),
    ),
    # srun errors
    (
        "srun: error: node01: task 0: Exited with exit code 1",
        JobSignal(
            kind="srun_error",
            host="node01",
            message="srun: error: node01: task 0: Exited with exit code 1",
        ),
    ),
    (
        "srun: error: gpu-a-12: tasks 0-3: Killed",
        JobSignal(
            kind="srun_error", host="gpu-a-12", message="srun: error: gpu-a-12: tasks 0-3: Killed"
        ),
    ),
    (
        "srun: error: Unable to allocate resources: Requested node configuration is not available",
        JobSignal(
            kind="srun_error",
            message="srun: error: Unable to allocate resources: Requested node configuration "
            "is not available",
        ),
    ),
]

NOT_SIGNALS = [
    # OOM texts are oom.py's; this module must not react to them
    "slurmstepd: error: Detected 1 oom-kill event(s) in StepId=2.batch. Some of your processes "
    "may have been killed by the cgroup out-of-memory handler.",
    "Killed",
    "/var/spool/slurmd/job00123/slurm_script: line 42: 4242 Killed python eval.py",
    "slurmstepd: error: execve(): python: No such file or directory",
    "srun: Job step aborted: Waiting up to 32 seconds for job step to finish.",
    "We will requeue the request later",  # not a SLURM tool speaking
    "*** JOB looks odd ***",
    "echo '*** JOB 1 ON n CANCELLED AT",
    "srun: error: ",
    "",
]


@pytest.mark.parametrize(("segment", "expected"), CASES, ids=[c[0][:50] for c in CASES])
def test_table(segment: str, expected: JobSignal) -> None:
    assert parse(segment) == [expected]
    assert CANDIDATE.search(segment.encode())


@pytest.mark.parametrize("segment", NOT_SIGNALS)
def test_near_misses_give_nothing(segment: str) -> None:
    assert parse(segment) == []
