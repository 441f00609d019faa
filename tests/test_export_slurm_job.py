"""slurm_job_id under evalmon run --slurm, on evalmon_run_info and on every series of the run:
the job id evalmon submitted (known from the job's first line), for a job that ended normally
too (SLURM prints its ``*** JOB N ... ***`` line only when it ends a job)."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from evalmon.export import EvalCollector, exposition
from evalmon.pipeline import scan
from evalmon.supervisor.model import Attempt, SupervisorStatus

BAR = "Requesting API: 100%|██████████| 4/4 [00:04<00:00, 1.00it/s]\n"
BANNER = ("slurmstepd-localhost: error: *** JOB 4 ON localhost CANCELLED AT "
          "2026-12-02T15:47:22 DUE TO NODE FAILURE, SEE SLURMCTLD LOG FOR DETAILS ***\n")


def test_run_info_takes_the_submitted_job_id(tmp_path: Path) -> None:
    first, second = tmp_path / "slurm-4.out", tmp_path / "slurm-5.out"
    first.write_text(BAR.replace("4/4", "2/4") + BANNER)
    second.write_text(BAR)
    snap = scan([str(tmp_path)])
    status = SupervisorStatus(
        command=("eval.sbatch",), log_dir=str(tmp_path), state="succeeded",
        attempts=(
            Attempt(1, 8, 0.0, 1.0, outcome="node_fail", slurm_job_id="4",
                    log_files=(str(first),)),
            Attempt(2, 8, 1.0, 2.0, outcome="succeeded", slurm_job_id="5",
                    log_files=(str(second),)),
        ),
    )
    text = exposition(EvalCollector(lambda: snap, lambda: status, host="h"))
    info, done = {}, {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "evalmon_run_info":
                info[s.labels["run"]] = s.labels["slurm_job_id"]
            elif s.name == "evalmon_requests_done":
                assert set(s.labels) == {"run", "host", "slurm_job_id", "model", "task"}
                done[s.labels["run"]] = s.labels["slurm_job_id"]
    assert info == done == {"4": "4", "5": "5"}
    # without the supervisor only the banner tells: the job that ended normally has none
    alone = exposition(EvalCollector(lambda: snap, host="h"))
    assert 'run="5",slurm_job_id=""' in alone and 'run="4",slurm_job_id="4"' in alone
    assert 'evalmon_requests_done{host="h",model="",run="4",slurm_job_id="4",task=""}' in alone
