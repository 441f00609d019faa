"""`evalmon run --slurm` where SLURM itself enforces the job's --mem (a cluster of its own,
tests/slurm_cluster.py's MEMORY_LIMITS): a job over its host-memory limit is killed by
slurmstepd, and evalmon reads that as host memory, which a smaller GPU batch cannot help."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from evalmon.supervisor.record import read_record
from tests.slurm_cluster import SlurmCluster, cluster_or_skip

ROOT = str(Path(__file__).resolve().parents[1])

pytestmark = [pytest.mark.slow, pytest.mark.slurm]


@pytest.fixture(scope="module")
def memory_cluster() -> Iterator[SlurmCluster]:
    yield from cluster_or_skip(memory_limits=True)


def test_a_job_over_its_slurm_memory_limit_fails_as_host_oom_without_a_smaller_batch(
    memory_cluster: SlurmCluster, tmp_path: Path
) -> None:
    logs = tmp_path / "logs"
    script = tmp_path / "eval.sbatch"
    script.write_text(
        "#!/bin/bash\n"
        'echo "batch size $BATCH_SIZE"\n'
        # 400 MiB of touched host memory against --mem=100M
        f"exec {sys.executable} -c 'import time; x = bytearray(400 << 20); time.sleep(60)'\n"
    )
    script.chmod(0o755)
    argv = [sys.executable, "-m", "evalmon.cli.run", "--slurm", "--headless",
            "--batch-size", "32", "--batch-env", "BATCH_SIZE", "--log-dir", str(logs),
            "--sbatch-arg=--mem=100M", "--", str(script)]
    res = subprocess.run(argv, capture_output=True, text=True, timeout=180, cwd=ROOT,
                         env=memory_cluster.env, check=False)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    (only,) = read_record(str(logs)).sessions[-1].ordered_attempts()  # never resubmitted
    assert only.batch_size == 32 and only.state.startswith("FAILED"), out
    assert "host (CPU RAM) out of memory: a smaller GPU batch will not help" in only.reason
    assert "exceeded memory limit" in out  # the slurmstepd line it was read from, named
    report = subprocess.run(
        [sys.executable, "-m", "evalmon", "report", str(logs)], capture_output=True, text=True,
        timeout=60, cwd=ROOT, check=False,
    ).stdout
    assert f"oom: out of host memory at slurm-{only.slurm_job_id}.out:" in report, report
