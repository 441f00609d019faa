"""Live re-tuning under `evalmon run --slurm`, on the real single-node SLURM cluster: the
running job is scancel'ed and a new one submitted with the new values in --export."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from evalmon.supervisor.record import read_record
from tests.slurm_cluster import SlurmCluster, slurm_cluster  # noqa: F401
from tests.waiting import wait_for

FAKE = str(Path(__file__).with_name("fake_eval.py"))
ROOT = str(Path(__file__).resolve().parents[1])

pytestmark = [pytest.mark.slow, pytest.mark.slurm]


def test_retune_cancels_the_job_and_submits_one_at_the_new_values(
    slurm_cluster: SlurmCluster, tmp_path: Path  # noqa: F811
) -> None:
    logs = tmp_path / "logs"
    script = tmp_path / "eval.sbatch"  # the seed's shape: the values come from --export
    script.write_text(
        "#!/bin/bash\n"
        "#SBATCH --job-name=eval\n"
        'echo "batch size $BATCH_SIZE, num_concurrent ${NUM_CONCURRENT:-1}"\n'
        f"exec {sys.executable} -u {FAKE} --size-env BATCH_SIZE --cache --steps 150 "
        "--step-s 0.1\n"
    )
    script.chmod(0o755)
    supervised = subprocess.Popen(
        [sys.executable, "-m", "evalmon.cli.run", "--slurm", "--headless", "--batch-size", "64",
         "--batch-env", "BATCH_SIZE", "--log-dir", str(logs), "--grace", "2", "--",
         str(script)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
        env=slurm_cluster.env,
    )  # fmt: skip
    try:
        def first_job_answered() -> bool:
            sessions = read_record(str(logs)).sessions
            tried = sessions[-1].ordered_attempts() if sessions else ()
            if not tried or not tried[0].log_files:
                return False
            text = "".join(Path(f).read_text(errors="replace") for f in tried[0].log_files
                           if Path(f).exists())
            return bool(re.search(r"Requesting API: +\d+%\|[^|]*\| [1-9]", text))

        wait_for(first_job_answered, 120, "the first SLURM job to answer requests")
        asked = subprocess.run(
            [sys.executable, "-m", "evalmon.cli.run", "--log-dir", str(logs), "--retune",
             "batch_size=128,num_concurrent=4"],
            capture_output=True, text=True, timeout=60, cwd=ROOT, env=slurm_cluster.env,
        )  # fmt: skip
        assert asked.returncode == 0, asked.stdout + asked.stderr
        out, _ = supervised.communicate(timeout=180)
    finally:
        if supervised.poll() is None:
            supervised.terminate()  # it scancels its own job
            supervised.wait(timeout=60)
    assert supervised.returncode == 0, out
    first, second = read_record(str(logs)).sessions[-1].ordered_attempts()
    assert (first.batch_size, first.outcome) == (64, "retuned")
    assert first.reason == "relaunched at batch 128, num_concurrent 4 by the user (control file)"
    assert (second.batch_size, second.num_concurrent, second.outcome) == (128, 4, "succeeded")
    assert first.slurm_job_id and second.slurm_job_id != first.slurm_job_id
    state = slurm_cluster.run("sacct", "-c", "-n", "-j", str(first.slurm_job_id), "-P",
                              "-o", "jobid,state").stdout
    assert "CANCELLED" in state, state
    text = "".join(Path(f).read_text(errors="replace") for f in second.log_files)
    assert "batch size 128, num_concurrent 4" in text  # through sbatch --export
    assert re.search(r"Cached requests: [1-9]", text), text[-2000:]
