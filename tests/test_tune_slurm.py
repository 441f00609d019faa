"""`evalmon tune --slurm` on the real single-node SLURM cluster (tests/slurm_cluster.py): each
trial is an sbatch job with its variables in --export; the OOM'd trial is cancelled and the
sweep goes on."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.slurm_cluster import SlurmCluster, slurm_cluster  # noqa: F401

FAKE = str(Path(__file__).with_name("tune_fake.py"))
ROOT = str(Path(__file__).resolve().parents[1])

pytestmark = [pytest.mark.slow, pytest.mark.slurm]


def test_slurm_sweep_exports_the_variables_and_cancels_the_oomed_trial(
    slurm_cluster: SlurmCluster, tmp_path: Path  # noqa: F811
) -> None:
    import subprocess

    script = tmp_path / "eval.sbatch"
    script.write_text(
        "#!/bin/bash\n"
        "#SBATCH --job-name=tune\n"
        'echo "batch $BATCH_SIZE engine $INFERENCE_MAX_BATCH concurrent $NUM_CONCURRENT"\n'
        f"FAKE_OOM_ABOVE=64 FAKE_HANG_AFTER_OOM=1 exec {sys.executable} -u {FAKE}\n"
    )
    script.chmod(0o755)
    env = {**slurm_cluster.env, "PYTHONPATH": ROOT, "EVALMON_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "evalmon", "tune", "--slurm", str(script), "--batch-env",
         "BATCH_SIZE", "--tie", "INFERENCE_MAX_BATCH=batch_size", "--batch-size", "32,64,128,256",
         "--concurrency", "1,2", "--log-dir", str(tmp_path / "sweep"), "--grace", "2"],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((tmp_path / "sweep" / "tune.json").read_text())
    got = [(t["config"]["batch_size"], t["config"]["num_concurrent"], t["outcome"])
           for t in data["trials"]]  # fmt: skip
    assert got == [(32, 1, "ok"), (64, 1, "ok"), (128, 1, "oom"), (256, 1, "skipped"),
                   (64, 2, "ok")]  # fmt: skip
    assert data["trials"][0]["config"]["INFERENCE_MAX_BATCH"] == 32
    for trial in data["trials"]:
        if trial["outcome"] in ("ok", "oom"):
            assert trial["job"].startswith("job "), trial
    oom_job = data["trials"][2]["job"].split()[1]
    state = slurm_cluster.run("sacct", "-c", "-n", "-j", oom_job, "-P", "-o", "jobid,state").stdout
    assert "CANCELLED" in state, state
    # the variables reached the job through sbatch --export
    trial_dir = tmp_path / "sweep" / "trials" / "bs64_nc2_INFERENCE_MAX_BATCH64"
    out = "".join(p.read_text() for p in trial_dir.glob("slurm-*.out"))
    assert "batch 64 engine 64 concurrent 2" in out
    # concurrency 2 gains 2% here: a tie, so the recommendation keeps the smaller setting
    assert data["recommended"]["config"] == {
        "batch_size": 64, "num_concurrent": 1, "INFERENCE_MAX_BATCH": 64
    }
    assert "BATCH_SIZE=64" in proc.stdout and "INFERENCE_MAX_BATCH=64" in proc.stdout
