"""The REAL lm-eval client (local-completions, offline) against the simulated server."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from evalmon_demo.lm_eval_cmd import LmEvalSettings, build_argv, build_env
from evalmon_demo.server import RunningServer, build_parser
from evalmon_demo.tasks import CHOICE_TASK, GEN_TASK, materialize
from evalmon_demo.tokenizer import ensure_tokenizer

pytestmark = pytest.mark.slow

ROW = re.compile(
    r"^\|(?P<task>[^|]*)\|[^|]*\|[^|]*\|[^|]*\|(?P<metric>[^|]*)\|[^|]*\|(?P<value>[^|]*)\|"
)


@dataclass
class ClientRun:
    code: int
    stdout: str
    stderr: str
    folder: Path


def results_table(stdout: str) -> dict[tuple[str, str], float]:
    rows: dict[tuple[str, str], float] = {}
    for line in stdout.splitlines():
        m = ROW.match(line)
        if m and m.group("value").strip().replace(".", "", 1).isdigit():
            rows[(m.group("task").strip(), m.group("metric").strip())] = float(m.group("value"))
    return rows


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_tokenizer(tmp_path_factory.mktemp("tok") / "tokenizer")


def run_client(
    folder: Path, job: int, tokenizer: Path, batch: int, concurrent: int, time_scale: float
) -> ClientRun:
    """One job = one server + one lm-eval client, logged as a SLURM job would be."""
    folder.mkdir(parents=True, exist_ok=True)
    args = build_parser().parse_args(
        ["--port", "0", "--log", str(folder / f"server-{job}.log"), "--tokenizer",
         str(tokenizer), "--inference-max-batch-size", "256", "--time-scale", str(time_scale)]
    )  # fmt: skip
    server = RunningServer(args).start()
    try:
        settings = LmEvalSettings(
            base_url=server.base_url,
            tokenizer_dir=tokenizer,
            tasks=materialize(folder / ".work" / f"tasks-{job}"),
            output_path=folder / ".work" / f"out-{job}",
            batch_size=batch,
            num_concurrent=concurrent,
            # a fresh cache: lm-eval then prints how many requests it sends, which makes the
            # count of a partial last batch exact when the bar counts batches
            use_cache=folder / ".work" / f"cache-{job}",
        )
        env = build_env()
        env["HF_HOME"] = str(folder / ".work" / "hf")  # hermetic: no shared datasets cache
        proc = subprocess.run(
            build_argv(settings), env=env, capture_output=True, text=True, timeout=300, cwd=folder
        )
    finally:
        server.stop()
    (folder / f"eval-{job}.out").write_text(proc.stdout)
    (folder / f"eval-{job}.err").write_text(proc.stderr)
    return ClientRun(proc.returncode, proc.stdout, proc.stderr, folder)


def report_json(folder: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "evalmon", "report", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_real_lm_eval_runs_offline_and_gets_real_metrics(tmp_path: Path, tokenizer_dir: Path):
    run = run_client(tmp_path, 1, tokenizer_dir, batch=64, concurrent=1, time_scale=0.1)
    assert run.code == 0, run.stderr[-3000:]
    assert "local-completions (" in run.stdout and "batch_size: 64" in run.stdout
    table = results_table(run.stdout)
    acc = table[(CHOICE_TASK, "acc")]
    exact = table[(GEN_TASK, "exact_match")]
    # the toy model is right for most questions, not all: real, non-trivial metrics
    assert 0.6 < acc < 0.97 and 0.6 < exact < 0.97
    server_log = (tmp_path / "server-1.log").read_text()
    calls = re.findall(r"\[BATCHING DEBUG\] run_mcore_engine called with (\d+) prompts", server_log)
    assert sum(map(int, calls)) == 600 + 400  # 150 docs x 4 choices, 400 generations
    assert max(map(int, calls)) == 64
    assert "Requesting API" in run.stderr


def test_samples_per_s_agree_at_num_concurrent_1_and_4(tmp_path: Path, tokenizer_dir: Path):
    # default time model: every request bar lasts 10+ s, so tqdm's whole-second elapsed
    # times give rates to a few percent
    runs = {
        nc: run_client(tmp_path, nc, tokenizer_dir, batch=64, concurrent=nc, time_scale=1.0)
        for nc in (1, 4)
    }
    for nc, run in runs.items():
        assert run.code == 0, f"num_concurrent={nc}: {run.stderr[-3000:]}"
    report = report_json(tmp_path)
    by_id = {r["id"]: r for r in report["runs"]}
    rates = {nc: by_id[str(nc)]["samples_per_s"] for nc in (1, 4)}
    assert by_id["1"]["config"]["num_concurrent"] == 1
    assert by_id["4"]["config"]["num_concurrent"] == 4
    assert all(rate and rate > 0 for rate in rates.values()), rates
    assert abs(rates[1] - rates[4]) / max(rates.values()) < 0.15, rates
