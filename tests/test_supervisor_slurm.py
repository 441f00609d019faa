"""`evalmon run --slurm` against a real single-node SLURM cluster (tests/slurm_cluster.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evalmon.supervisor.record import read_record
from tests.slurm_cluster import SlurmCluster, slurm_cluster  # noqa: F401

FAKE = str(Path(__file__).with_name("fake_eval.py"))
ROOT = str(Path(__file__).resolve().parents[1])

pytestmark = [pytest.mark.slow, pytest.mark.slurm]


def write_script(path: Path, *fake_args: str, name: str = "eval") -> Path:
    """An eval.sbatch-like script: BATCH_SIZE comes from the environment (--export)."""
    args = " ".join(fake_args)
    path.write_text(
        "#!/bin/bash\n"
        f"#SBATCH --job-name={name}\n"
        'echo "batch size $BATCH_SIZE, engine max batch $INFERENCE_MAX_BATCH"\n'
        'echo "evalmon attempt $EVALMON_ATTEMPT, cache $EVALMON_CACHE"\n'
        f"exec {sys.executable} -u {FAKE} --size-env BATCH_SIZE {args}\n"
    )
    path.chmod(0o755)
    return path


def evalmon_slurm(cluster: SlurmCluster, opts: list[str], script: Path, timeout: float = 180):
    argv = [sys.executable, "-m", "evalmon.cli.run", "--slurm", "--headless", *opts,
            "--", str(script)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=cluster.env, check=False)


def test_oom_scancel_and_resubmit_smaller_until_success(
    slurm_cluster: SlurmCluster, tmp_path: Path  # noqa: F811
) -> None:
    logs = tmp_path / "logs"
    # above 64 the job prints a CUDA OOM and then hangs: only scancel can end it
    script = write_script(tmp_path / "eval.sbatch", "--oom-above", "64", "--hang-after-oom",
                          "--steps", "3")
    res = evalmon_slurm(
        slurm_cluster,
        ["--batch-size", "256", "--batch-env", "BATCH_SIZE", "--batch-env",
         "INFERENCE_MAX_BATCH", "--log-dir", str(logs), "--grace", "2", "--oom-wait", "1"],
        script,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    session = read_record(str(logs)).sessions[-1]
    tried = session.ordered_attempts()
    assert [(a.batch_size, a.outcome) for a in tried] == [
        (256, "oom"), (128, "oom"), (64, "succeeded")
    ]
    job_ids = [a.slurm_job_id for a in tried]
    assert all(job_ids) and len(set(job_ids)) == 3
    # the OOM'd jobs were cancelled by evalmon, the last one completed
    for a in tried[:2]:
        state = slurm_cluster.run("sacct", "-c", "-n", "-j", str(a.slurm_job_id), "-P",
                                  "-o", "jobid,state").stdout
        assert "CANCELLED" in state, state
    assert tried[2].state.startswith("COMPLETED")
    # both variables moved together, through --export
    out = Path(tried[2].log_files[0]).read_text()
    assert "batch size 64, engine max batch 64" in out
    assert f"evalmon attempt 3, cache {logs}/.evalmon/cache/run-" in out
    assert f"job {job_ids[0]}" in res.stdout


def test_non_oom_failure_is_not_resubmitted(
    slurm_cluster: SlurmCluster, tmp_path: Path  # noqa: F811
) -> None:
    logs = tmp_path / "logs"
    script = write_script(tmp_path / "eval.sbatch", "--crash")
    res = evalmon_slurm(slurm_cluster, ["--batch-size", "32", "--batch-env", "BATCH_SIZE",
                                        "--log-dir", str(logs)], script)
    assert res.returncode == 1, res.stdout + res.stderr
    (only,) = read_record(str(logs)).sessions[-1].ordered_attempts()
    assert only.outcome == "failed" and only.state.startswith("FAILED") and only.exit_code == 1


def test_evalmon_killed_and_restarted_adopts_the_slurm_job(
    slurm_cluster: SlurmCluster, tmp_path: Path  # noqa: F811
) -> None:
    logs = tmp_path / "logs"
    script = write_script(tmp_path / "eval.sbatch", "--steps", "80", "--step-s", "0.1",
                          name="adopt-me")
    argv = [sys.executable, "-m", "evalmon.cli.run", "--slurm", "--headless",
            "--batch-size", "16", "--batch-env", "BATCH_SIZE", "--log-dir", str(logs),
            "--", str(script)]
    first = subprocess.Popen(argv, cwd=ROOT, env=slurm_cluster.env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    job_id = None
    while time.monotonic() < deadline and job_id is None:
        sessions = read_record(str(logs)).sessions
        if sessions and sessions[-1].attempts:
            job_id = sessions[-1].ordered_attempts()[0].slurm_job_id
        time.sleep(0.1)
    assert job_id, "no SLURM job recorded"
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    res = subprocess.run(argv, cwd=ROOT, env=slurm_cluster.env, capture_output=True, text=True,
                         timeout=120, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"adopted attempt 1 (job {job_id})" in res.stdout
    jobs = slurm_cluster.run("squeue", "-h", "-t", "all", "-n", "adopt-me", "-o", "%i").stdout
    assert jobs.split() == [job_id]  # never a second submission
    (only,) = read_record(str(logs)).sessions[-1].ordered_attempts()
    assert only.outcome == "succeeded" and only.state.startswith("COMPLETED")


def test_controller_down_is_a_clear_error_without_duplicates(
    slurm_cluster: SlurmCluster, tmp_path: Path  # noqa: F811
) -> None:
    logs = tmp_path / "logs"
    script = write_script(tmp_path / "eval.sbatch")
    before = slurm_cluster.run("squeue", "-h", "-t", "all", "-o", "%i").stdout.split()
    slurm_cluster.stop_controller()
    try:
        res = evalmon_slurm(
            slurm_cluster,
            ["--batch-size", "8", "--batch-env", "BATCH_SIZE", "--log-dir", str(logs),
             "--submit-retries", "2"],
            script,
        )
    finally:
        slurm_cluster.start_controller()
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "sbatch failed 2 times (is slurmctld up?)" in out
    assert "Traceback" not in out
    after = slurm_cluster.run("squeue", "-h", "-t", "all", "-o", "%i").stdout.split()
    assert after == before  # nothing was submitted behind our back
    session = read_record(str(logs)).sessions[-1]
    assert session.finished and session.final_state == "failed"
    # the intent written before sbatch stays in the record, marked as never launched
    (only,) = session.ordered_attempts()
    assert only.outcome == "failed" and only.state == "not launched"
    assert only.slurm_job_id is None and only.launch_token


def test_a_job_past_its_time_limit_is_requeued_and_finishes(
    slurm_cluster: SlurmCluster, tmp_path: Path  # noqa: F811
) -> None:
    """--time=1 (one minute) for about 100 s of work: SLURM ends it (TIMEOUT), evalmon
    resubmits it at the same batch size and the second job resumes from the cache."""
    logs = tmp_path / "logs"
    script = write_script(tmp_path / "eval.sbatch", "--steps", "10", "--step-s", "10", "--cache")
    res = evalmon_slurm(
        slurm_cluster,
        ["--batch-size", "8", "--batch-env", "BATCH_SIZE", "--log-dir", str(logs),
         "--sbatch-arg=--time=1", "--requeue-on", "timeout,preempted,node-fail"],
        script, timeout=420,
    )
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    first, second = read_record(str(logs)).sessions[-1].ordered_attempts()
    assert (first.batch_size, first.outcome) == (8, "timeout"), out
    assert first.state.startswith("TIMEOUT") and "relaunching at batch size 8" in first.reason
    assert (second.batch_size, second.outcome) == (8, "succeeded"), out
    text = Path(f"{logs}/slurm-{second.slurm_job_id}.out").read_text()
    cached = int(text.split("Cached requests: ")[1].split(",")[0])
    assert cached > 0
