"""Dead servers and crashed clients (issue 15 item 2) on real processes (tests/fake_eval.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_supervisor_local import attempts, fake, run

pytestmark = pytest.mark.slow


def test_a_client_that_crashed_because_its_server_died_says_so(tmp_path: Path) -> None:
    res = run(["--batch-size", "8", "--log-dir", str(tmp_path)],
              fake("--steps", "5", "--refused-after", "2", "--refused-tries", "3"))
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    (only,) = attempts(tmp_path)
    assert only.outcome == "server_died", out
    assert "the server died under it (connection refused x3" in only.reason
    assert "--relaunch-on server-died" in only.reason
    table = res.stdout[res.stdout.index("#  batch"):]
    assert "server_died" in table


def test_relaunch_on_server_died_relaunches_at_once_and_resumes(tmp_path: Path) -> None:
    res = run(["--batch-size", "8", "--log-dir", str(tmp_path), "--grace", "1",
               "--relaunch-on", "server-died"],
              fake("--steps", "5", "--step-s", "0.05", "--refused-after", "2", "--cache"))
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    first, second = attempts(tmp_path)
    assert (first.batch_size, first.outcome) == (8, "server_died")
    assert "relaunching at batch size 8" in first.reason
    assert (second.batch_size, second.outcome) == (8, "succeeded")
    m = re.search(r"Cached requests: (\d+)", (tmp_path / "attempt-2.err").read_text())
    assert m and int(m.group(1)) > 0


def test_unknown_relaunch_causes_are_one_line(tmp_path: Path) -> None:
    opts = ["--batch-size", "8", "--log-dir", str(tmp_path)]
    res = run([*opts, "--relaunch-on", "gremlins"], fake())
    assert res.returncode == 2 and "--relaunch-on takes server-died" in res.stderr
    res = run([*opts, "--requeue-on", "timeout"], fake())
    assert res.returncode == 2 and "--requeue-on needs --slurm" in res.stderr
