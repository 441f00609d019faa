"""What sweeps learnt (SQLite under the user's cache folder): the store's rules, `evalmon tune
--history`, `--batch-size auto` starting from it, and `evalmon run --batch-size auto`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from evalmon.supervisor.memory import Memory, job_of

FAKE = str(Path(__file__).with_name("tune_fake.py"))
ROOT = Path(__file__).resolve().parents[1]
JOB = {"model": "m", "tasks": "a,b"}
SETUP = {"server": "megatron", "engine_max_batch": 256, "gpu": "H100", "gpus": 1}


def test_largest_ok_and_smallest_oom_with_when_and_version(tmp_path: Path) -> None:
    mem = Memory(str(tmp_path / "m.sqlite3"))
    mem.learn(JOB, SETUP, 64, "ok", 38.0, now=100.0)
    mem.learn(JOB, SETUP, 128, "ok", 53.0, now=101.0)
    mem.learn(JOB, SETUP, 32, "ok", 20.0, now=102.0)  # smaller: the largest stays
    mem.learn(JOB, SETUP, 512, "oom", now=103.0)
    mem.learn(JOB, SETUP, 256, "oom", now=104.0)
    mem.learn(JOB, SETUP, 128, "failed", now=105.0)  # not a lesson about memory
    (entry,) = mem.entries()
    assert (entry.largest_ok, entry.largest_ok_rate, entry.largest_ok_at) == (128, 53.0, 101.0)
    assert (entry.smallest_oom, entry.smallest_oom_at) == (256, 104.0)
    assert entry.known_good == 128 and entry.tool
    assert mem.best_known(JOB) == entry
    assert mem.best_known({"model": "other"}) is None


def test_a_new_lesson_overrules_an_old_contradicting_one(tmp_path: Path) -> None:
    mem = Memory(str(tmp_path / "m.sqlite3"))
    mem.learn(JOB, SETUP, 128, "ok", 53.0, now=1.0)
    mem.learn(JOB, SETUP, 128, "oom", now=2.0)  # the same size ran out of memory since
    (entry,) = mem.entries()
    assert entry.largest_ok is None and entry.smallest_oom == 128 and entry.known_good is None
    mem.learn(JOB, SETUP, 192, "ok", 60.0, now=3.0)
    (entry,) = mem.entries()
    assert entry.known_good == 192 and entry.smallest_oom is None


def test_setups_are_kept_apart(tmp_path: Path) -> None:
    mem = Memory(str(tmp_path / "m.sqlite3"))
    mem.learn(JOB, SETUP, 128, "ok", 53.0, now=1.0)
    mem.learn(JOB, {**SETUP, "gpu": "A100", "engine_max_batch": 64}, 64, "ok", 30.0, now=2.0)
    assert len(mem.entries()) == 2
    assert mem.best_known(JOB).known_good == 64  # the most recent setup first


def test_job_of_reads_model_and_tasks_from_lm_eval_or_names_the_script() -> None:
    cmd = ["lm_eval", "run", "--model", "local-completions", "--tasks", "b,a",
           "--model_args", "model=m,base_url=http://x,num_concurrent=4"]  # fmt: skip
    assert job_of(cmd) == {"model_type": "local-completions", "tasks": "a,b", "model": "m"}
    assert job_of(["scripts/evals/eval.sbatch"]) == {"script": "eval.sbatch"}


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "EVALMON_CACHE_DIR": str(tmp / "cache"),
            **extra}  # fmt: skip


def _evalmon(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evalmon", *args], capture_output=True,
                          text=True, env=_env(tmp, **env), timeout=120, cwd=tmp)  # fmt: skip


def test_auto_sweep_is_remembered_shown_and_used_by_the_next_sweep_and_by_run(
    tmp_path: Path,
) -> None:
    proc = _evalmon(
        tmp_path, "tune", "--batch-size", "auto", "--batch-env", "BATCH_SIZE",
        "--log-dir", str(tmp_path / "one"), "--", sys.executable, FAKE, FAKE_OOM_ABOVE="100",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "one" / "tune.json").read_text())
    sizes = [(t["config"]["batch_size"], t["outcome"]) for t in data["trials"]]
    assert sizes == [(8, "ok"), (16, "ok"), (32, "ok"), (64, "ok"), (128, "oom"), (96, "ok"),
                     (112, "oom"), (104, "oom")]  # fmt: skip
    assert data["recommended"]["config"] == {"batch_size": 96}

    hist = _evalmon(tmp_path, "tune", "--history")
    assert hist.returncode == 0
    assert "script tune_fake.py" in hist.stdout and "96" in hist.stdout and "104" in hist.stdout
    (entry,) = json.loads(_evalmon(tmp_path, "tune", "--history", "--format", "json").stdout)
    assert (entry["largest_ok"], entry["smallest_oom"]) == (96, 104)

    # a second sweep starts from what the first learnt, and says so
    proc = _evalmon(
        tmp_path, "tune", "--batch-size", "auto", "--batch-env", "BATCH_SIZE",
        "--log-dir", str(tmp_path / "two"), "--", sys.executable, FAKE, FAKE_OOM_ABOVE="100",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "starting at batch 96" in proc.stderr
    data = json.loads((tmp_path / "two" / "tune.json").read_text())
    assert data["trials"][0]["config"] == {"batch_size": 96}

    # evalmon run --batch-size auto starts from the best known-good size, and says so
    run = _evalmon(
        tmp_path, "run", "--headless", "--batch-size", "auto", "--batch-env", "BATCH_SIZE",
        "--log-dir", str(tmp_path / "run"), "--", sys.executable, FAKE, FAKE_OOM_ABOVE="100",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "--batch-size auto: starting at 96" in run.stderr
    assert "BATCH_SIZE=96" in (tmp_path / "run" / "attempt-1.out").read_text()


def test_run_auto_with_nothing_learnt_says_so_and_uses_the_commands_size(tmp_path: Path) -> None:
    run = _evalmon(
        tmp_path, "run", "--headless", "--batch-size", "auto", "--log-dir",
        str(tmp_path / "run"), "--", sys.executable, FAKE,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "no sweep has run" in run.stderr
