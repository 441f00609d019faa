"""Stall recovery (issue 15 item 1) on real processes: tests/fake_eval.py hangs or loses its
server after some progress; evalmon stops it and relaunches at the same batch size, resuming
from the (emulated) lm-eval cache. The timeout is short; no timing is asserted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_supervisor_local import attempts, fake, run

pytestmark = pytest.mark.slow

OPTS = ["--batch-size", "8", "--stall-timeout", "2", "--grace", "1"]


def cached(path: Path) -> int:
    m = re.search(r"Cached requests: (\d+)", path.read_text())
    assert m, path.read_text()
    return int(m.group(1))


def test_a_job_that_hangs_after_progress_is_relaunched_once_and_resumes(tmp_path: Path) -> None:
    res = run([*OPTS, "--log-dir", str(tmp_path)],
              fake("--steps", "5", "--step-s", "0.05", "--hang-after", "2", "--cache"))
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    first, second = attempts(tmp_path)
    assert (first.batch_size, first.outcome) == (8, "stalled")
    assert "nothing written since" in first.reason and "relaunching at batch size 8" in first.reason
    assert (second.batch_size, second.outcome) == (8, "succeeded")
    assert cached(tmp_path / "attempt-2.err") > 0  # it resumed from the cache


def test_a_server_that_stops_answering_is_one_relaunch(tmp_path: Path) -> None:
    access = tmp_path / "server.log"
    res = run([*OPTS, "--log-dir", str(tmp_path)],
              fake("--steps", "5", "--step-s", "0.05", "--refused-after", "2", "--cache",
                   "--access-log", str(access)))
    out = res.stdout + res.stderr
    assert res.returncode == 0, out
    first, second = attempts(tmp_path)
    assert (first.batch_size, first.outcome) == (8, "stalled")
    assert "server not answering since" in first.reason and "connection refused" in first.reason
    assert (second.batch_size, second.outcome) == (8, "succeeded")
    assert cached(tmp_path / "attempt-2.err") > 0


def test_two_stalls_in_a_row_at_the_same_place_end_the_run(tmp_path: Path) -> None:
    res = run([*OPTS, "--log-dir", str(tmp_path)], fake("--hang-after", "0", "--cache"))
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    assert [(a.batch_size, a.outcome) for a in attempts(tmp_path)] == [
        (8, "stalled"), (8, "stalled")
    ]
    assert "stalled at the same place" in attempts(tmp_path)[-1].reason
    assert "evalmon: gave up" in res.stdout


def test_a_stall_counts_toward_max_attempts(tmp_path: Path) -> None:
    res = run([*OPTS, "--max-attempts", "1", "--log-dir", str(tmp_path)],
              fake("--steps", "5", "--hang-after", "2", "--cache"))
    assert res.returncode == 1, res.stdout + res.stderr
    (only,) = attempts(tmp_path)
    assert only.outcome == "stalled" and "max attempts (1) reached" in only.reason


def test_the_status_says_no_progress_long_before_the_timeout(tmp_path: Path) -> None:
    """What the dashboard's Attempts panel shows: from a quarter of the timeout on."""
    from tests.played_jobs import Session
    from tests.waiting import wait_for

    session = Session(tmp_path)
    session.supervisor.options.stall_timeout_s = 4.0  # ... here after 1 s
    with session:
        session.job(1)
        message = wait_for(
            lambda: "no progress for" in session.supervisor.status().message
            and session.supervisor.status().message, 20, "the stall line")
        assert "(nothing written since " in str(message)
