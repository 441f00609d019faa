"""Live re-tuning with the REAL lm-eval client against the simulated Megatron server (slow).

`evalmon run --headless` runs lm-eval at batch 8; once it has answered some requests,
`evalmon run --retune 64` from "another terminal" relaunches it at 64, and the relaunched
attempt reports lm-eval's own `Cached requests: N` with N > 0: no work was lost.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from evalmon.supervisor.record import read_record
from evalmon_demo.lm_eval_cmd import LmEvalSettings, build_argv, build_env
from evalmon_demo.server import RunningServer, build_parser
from evalmon_demo.tasks import GEN_TASK, materialize
from evalmon_demo.tokenizer import ensure_tokenizer
from tests.waiting import wait_for

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
#: lm-eval's request bar with some requests answered: "Requesting API:  10%|█ | 40/400 ..."
ANSWERED = re.compile(r"Requesting API: +\d+%\|[^|\n\r]*\| *([1-9]\d*)/")


def test_the_relaunched_attempt_resumes_from_lm_evals_cache(tmp_path: Path) -> None:
    env = build_env()
    env.update({"PYTHONPATH": str(ROOT), "EVALMON_CACHE_DIR": str(tmp_path / "cache"),
                "HF_HOME": str(tmp_path / "hf")})  # fmt: skip
    tokenizer = ensure_tokenizer(tmp_path / "tokenizer")
    args = build_parser().parse_args(
        ["--port", "0", "--log", str(tmp_path / "server.log"), "--tokenizer", str(tokenizer),
         "--inference-max-batch-size", "256"]
    )  # fmt: skip
    logs = tmp_path / "logs"
    server = RunningServer(args).start()
    supervised: subprocess.Popen[str] | None = None
    try:
        settings = LmEvalSettings(
            base_url=server.base_url, tokenizer_dir=tokenizer,
            tasks=materialize(tmp_path / "tasks"), output_path=tmp_path / "output",
            batch_size=8, limit=200,
        )  # fmt: skip
        client = build_argv(settings)
        client[client.index("--tasks") + 1] = GEN_TASK
        supervised = subprocess.Popen(
            [sys.executable, "-m", "evalmon", "run", "--headless", "--batch-size", "8",
             "--log-dir", str(logs), "--grace", "5", "--", *client],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
        )  # fmt: skip
        err = logs / "attempt-1.err"

        def answered() -> int:
            found = ANSWERED.findall(err.read_text(errors="replace")) if err.exists() else []
            return int(found[-1]) if found else 0

        # batch 8 on the simulated GPU: a few requests a second; 16 answered fill the cache
        wait_for(lambda: answered() >= 16, 240, "lm-eval at batch 8 to answer 16 requests")
        asked = subprocess.run(
            [sys.executable, "-m", "evalmon", "run", "--log-dir", str(logs), "--retune", "64"],
            capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path,
        )  # fmt: skip
        assert asked.returncode == 0, asked.stdout + asked.stderr
        assert "attempt 1 is stopped and relaunched at batch 64" in asked.stdout
        out, _ = supervised.communicate(timeout=600)
    finally:
        if supervised is not None and supervised.poll() is None:
            supervised.terminate()  # it stops its own job
            supervised.wait(timeout=60)
        server.stop()
    assert supervised.returncode == 0, out[-3000:]
    first, second = read_record(str(logs)).sessions[-1].ordered_attempts()
    assert (first.batch_size, first.outcome) == (8, "retuned"), first
    assert first.reason == "relaunched at batch 64 by the user (control file)"
    assert (second.batch_size, second.outcome) == (64, "succeeded"), second
    relaunched = (logs / "attempt-2.err").read_text(errors="replace")
    cached = [int(n) for n in re.findall(r"Cached requests: (\d+)", relaunched)]
    assert cached and max(cached) > 0, relaunched[-3000:]
    # lm-eval itself ran the relaunch at the new size
    assert "batch_size: 64" in (logs / "attempt-2.out").read_text(errors="replace")
