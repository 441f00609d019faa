"""`evalmon tune` with the real lm-eval client against the simulated Megatron server (slow):
`evalmon demo --tune` end to end, and `--batch-size auto` finding the largest batch that fits
the simulated GPU. The table's rates must be `evalmon report`'s on the same trial logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalmon_demo.lm_eval_cmd import LmEvalSettings, build_argv, build_env
from evalmon_demo.server import RunningServer, build_parser
from evalmon_demo.tasks import GEN_TASK, materialize
from evalmon_demo.tokenizer import ensure_tokenizer

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def _env(tmp: Path) -> dict[str, str]:
    env = build_env()
    env.update({"PYTHONPATH": str(ROOT), "EVALMON_CACHE_DIR": str(tmp / "cache"),
                "HF_HOME": str(tmp / "hf")})  # fmt: skip
    return env


def _report_rates(folder: Path, env: dict[str, str]) -> list[float | None]:
    proc = subprocess.run(
        [sys.executable, "-m", "evalmon", "report", "--format", "json", str(folder)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(proc.stdout)["runs"]
    return [r.get("requests_per_s", r.get("samples_per_s")) for r in runs]


def _check_rates_are_the_reports(folder: Path, data: dict, env: dict[str, str]) -> None:
    for trial in data["trials"]:
        if trial["outcome"] == "ok":
            assert trial["requests_per_s"] in _report_rates(folder / trial["dir"], env), trial


def test_demo_tune_tells_the_seeds_story(tmp_path: Path) -> None:
    env = _env(tmp_path)
    folder = tmp_path / "demo"
    proc = subprocess.run(
        [sys.executable, "-m", "evalmon", "demo", "--tune", "--dir", str(folder)],
        capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads((folder / "tune.json").read_text())
    by = {(t["config"]["batch_size"], t["config"]["num_concurrent"]): t for t in data["trials"]}
    assert by[(8, 1)]["outcome"] == "ok" and by[(64, 1)]["outcome"] == "ok"
    # batch 8 is slow, bigger is faster
    assert by[(64, 1)]["requests_per_s"] > 2 * by[(8, 1)]["requests_per_s"]
    # the largest OOMs (read from the server's log: lm-eval only sees HTTP 500s) ...
    assert by[(256, 1)]["outcome"] == "oom"
    # ... and larger ones are skipped
    assert by[(512, 1)]["outcome"] == "skipped"
    assert "256 ran out of memory" in by[(512, 1)]["reason"]
    rec = data["recommended"]
    assert rec["config"]["batch_size"] in (64, 128) and rec["requests_per_s"]
    assert "recommended:" in proc.stdout and "paste:" in proc.stdout
    assert "--batch_size " + str(rec["config"]["batch_size"]) in proc.stdout
    _check_rates_are_the_reports(folder, data, env)


def test_auto_finds_the_largest_batch_the_simulated_gpu_holds(tmp_path: Path) -> None:
    env = _env(tmp_path)
    tokenizer = ensure_tokenizer(tmp_path / "tokenizer")
    args = build_parser().parse_args(
        ["--port", "0", "--log", str(tmp_path / "server.log"), "--tokenizer", str(tokenizer),
         "--inference-max-batch-size", "512", "--time-scale", "0.3"]
    )  # fmt: skip
    server = RunningServer(args).start()
    try:
        settings = LmEvalSettings(
            base_url=server.base_url,
            tokenizer_dir=tokenizer,
            tasks=materialize(tmp_path / "tasks"),
            output_path=tmp_path / "output",
            batch_size=8,
        )
        client = build_argv(settings)
        client[client.index("--tasks") + 1] = GEN_TASK
        proc = subprocess.run(
            [sys.executable, "-m", "evalmon", "tune", "--batch-size", "auto", "--auto-start",
             "64", "--limit", "400", "--log-dir", str(tmp_path / "sweep"), "--watch",
             str(tmp_path / "server.log"), "--grace", "5", "--", *client],
            capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path,
        )  # fmt: skip
    finally:
        server.stop()
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads((tmp_path / "sweep" / "tune.json").read_text())
    sizes = [(t["config"]["batch_size"], t["outcome"]) for t in data["trials"]]
    # 64 and 128 fit, 256 does not; bisecting settles between 128 and 256
    assert sizes[:3] == [(64, "ok"), (128, "ok"), (256, "oom")], sizes
    ran = [s for s, o in sizes if o == "ok"]
    ooms = [s for s, o in sizes if o == "oom"]
    assert max(ran) < min(ooms) and min(ooms) - max(ran) <= max(ran) // 8, sizes
    assert len(sizes) == len({s for s, _ in sizes})  # no size twice
    _check_rates_are_the_reports(tmp_path / "sweep", data, env)
    # what it learnt is kept for the next sweep and for `evalmon run --batch-size auto`
    hist = subprocess.run(
        [sys.executable, "-m", "evalmon", "tune", "--history", "--format", "json"],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    (entry,) = json.loads(hist.stdout)
    assert entry["job"]["model"] == "demo" and entry["job"]["tasks"] == GEN_TASK
    assert (entry["largest_ok"], entry["smallest_oom"]) == (max(ran), min(ooms))
    assert entry["setup"]["server"] == "megatron", entry
    assert os.path.exists(tmp_path / "cache" / "tune-memory.sqlite3")
