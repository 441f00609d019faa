"""`evalmon demo --headless` end to end: real lm-eval, simulated server, OOM, relaunch, resume."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from evalmon_demo.tasks import CHOICE_TASK, GEN_TASK
from tests.waiting import wait_for


def demo_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # the tokenizer is built fresh
    env["HF_HOME"] = str(tmp_path / "hf")
    return env


def processes_mentioning(text: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(text in part for part in proc.info["cmdline"] or ()):
                found.append(proc)
        except psutil.Error:
            continue
    return found


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess, Path, float]:
    tmp_path = tmp_path_factory.mktemp("demo")
    folder = tmp_path / "demo"
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "evalmon", "demo", "--headless", "--dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        env=demo_env(tmp_path),
        cwd=tmp_path,
    )
    return proc, folder, time.monotonic() - t0


@pytest.mark.slow
def test_demo_ooms_relaunches_smaller_resumes_and_finishes(demo_run):
    proc, folder, wall = demo_run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # attempt 1: the server ran out of simulated GPU memory, the client saw HTTP 500s
    server_1 = (folder / "server-1.log").read_text()
    assert "torch.OutOfMemoryError: CUDA out of memory." in server_1
    assert "ERROR in app: Exception on /v1/completions [POST]" in server_1
    assert re.search(r'"POST /v1/completions HTTP/1\.1" 500 -', server_1)
    assert "|Tasks" not in (folder / "attempt-1.out").read_text().replace(" ", "")  # no results
    # attempt 2: smaller batch, lm-eval's cache reused, finished with a results table
    cached = re.findall(r"Cached requests: (\d+)", (folder / "attempt-2.err").read_text())
    assert cached and max(map(int, cached)) > 0
    out_2 = (folder / "attempt-2.out").read_text()
    assert "batch_size: 128" in out_2
    assert f"|{CHOICE_TASK}" in out_2 and f"|{GEN_TASK}" in out_2
    server_2 = (folder / "server-2.log").read_text()
    assert "OutOfMemoryError" not in server_2
    assert "run_mcore_engine called with 128 prompts" in server_2
    # the demo points at the report and the dashboard
    assert "evalmon report ./demo " in proc.stdout  # the demo ran with cwd = folder's parent
    assert re.search(r"^  evalmon \./demo\s", proc.stdout, re.M)
    assert wall < 120, f"the demo took {wall:.0f} s"


@pytest.mark.slow
def test_report_json_shows_both_attempts_the_oom_rates_and_metrics(demo_run):
    proc, folder, _ = demo_run
    assert proc.returncode == 0
    report = subprocess.run(
        [sys.executable, "-m", "evalmon", "report", "--format", "json", str(folder)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    runs = {r["id"]: r for r in json.loads(report.stdout)["runs"]}
    first, second = runs["1"], runs["2"]
    # lm-eval never logs its batch size before its closing summary line, which the crashed
    # attempt does not reach; the server saw its batches of 256
    assert first["engine_batches"]["max"] == 256
    assert str(second["config"]["batch_size"]) == "128"
    assert first["status"] == "oom"
    assert second["status"] == "finished"
    oom = first["ooms"][0]
    assert oom["kind"] == "gpu" and oom["fatal"] is True
    assert oom["file"].endswith("server-1.log") and oom["line"] > 0
    assert "CUDA out of memory" in oom["message"]
    assert not second["ooms"]
    assert first["samples_per_s"] > 0 and second["samples_per_s"] > 0
    assert first["http"].get("500", 0) >= 1 and second["http"].get("500", 0) == 0
    assert second["engine_batches"]["max"] == 128
    metrics = {(r["task"], r["metric"]): r["value"] for r in second["results"]}
    assert 0.5 < metrics[(CHOICE_TASK, "acc")] < 1
    assert 0.5 < metrics[(GEN_TASK, "exact_match")] < 1
    for run, number in ((first, 1), (second, 2)):
        names = {Path(f).name for f in run["files"]}
        assert {f"attempt-{number}.err", f"server-{number}.log"} <= names, names


@pytest.mark.slow
def test_ctrl_c_stops_everything_the_demo_started(tmp_path: Path):
    folder = tmp_path / "demo"
    proc = subprocess.Popen(
        [sys.executable, "-m", "evalmon", "demo", "--headless", "--dir", str(folder),
         "--time-scale", "5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=demo_env(tmp_path), cwd=tmp_path,
        start_new_session=True,
        # (Ctrl-C reaches it even when this suite runs in the background, SIGINT ignored)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        # wait until lm-eval is really talking to the server, then press Ctrl-C
        wait_for(
            lambda: (folder / "server-1.log").exists()
            and "BATCHING DEBUG" in (folder / "server-1.log").read_text(),
            120, "the first engine call",
        )  # fmt: skip
        assert len(processes_mentioning(str(folder))) >= 2  # server + lm-eval
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        code = proc.wait(timeout=60)
        assert code != 0
        wait_for(lambda: not processes_mentioning(str(folder)), 30, "every demo process to end")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --------------------------------------------------------------------------- fast: bad input


def test_a_non_empty_folder_is_refused_with_one_line(tmp_path: Path, capsys):
    from evalmon.cli.demo import main

    (tmp_path / "eval-1.out").write_text("someone else's run\n")
    assert main(["--headless", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eval-1.out"]  # nothing started


@pytest.mark.parametrize("args", [["--batch-size", "0"], ["--batch-size", "many"]])
def test_bad_options_are_usage_errors(args: list[str], capsys):
    from evalmon.cli.demo import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_missing_demo_extras_are_one_line(tmp_path: Path, capsys, monkeypatch):
    from evalmon.cli import demo

    real = demo.find_spec
    monkeypatch.setattr(demo, "find_spec", lambda m: None if m == "lm_eval" else real(m))
    assert demo.main(["--headless", "--dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "lm_eval" in err and "evalmon[demo]" in err and err.count("\n") == 1
    assert not (tmp_path / "d").exists()
