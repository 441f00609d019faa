"""A fatal OOM is acted on only with evidence that the job failed (issue 12, item 2).

The supervisor on a real Monitor; the "jobs" are files the test writes and exit codes it sets
(tests/test_supervisor_bytes.py's fake launcher), so each case says what was written when.
"""

from __future__ import annotations

from pathlib import Path

from tests.played_jobs import ACCESS_500, TRACEBACK, Session, append

ACCESS_200 = '127.0.0.1 - - [24/Nov/2026 03:00:02] "POST /completions HTTP/1.1" 200 -\n'


def bar(n: int, total: int = 40) -> str:
    # one bar line per step, newline-terminated: the lines after the OOM reach the parser
    pct = 100 * n // total
    return f"Requesting API:  {pct:2d}%|     | {n}/{total} [00:0{n % 10}<00:10,  1.00it/s]\n"


def test_progress_after_the_oom_drops_the_decision_once(tmp_path: Path) -> None:
    with Session(tmp_path, oom_wait_s=2) as s:
        first = s.job(1)
        append(first.err, bar(1) + TRACEBACK + bar(2))
        s.said("OOM at attempt-1.err")
        append(first.err, bar(3) + bar(4) + bar(5) + bar(6))
        s.said("was survived: progress went on")
        append(first.err, bar(7))
        first.exit(0)
        assert s.result() == 0
        assert s.sizes() == [(256, "succeeded")]
        assert len(s.launcher.jobs) == 1
    assert sum("was survived" in line for line in s.lines) == 1, s.lines


def test_a_bar_redrawn_at_the_same_count_is_not_progress(tmp_path: Path) -> None:
    with Session(tmp_path, oom_wait_s=0.5) as s:
        first = s.job(1)
        append(first.err, bar(2) + TRACEBACK + bar(2) + bar(2) + bar(2) + bar(2))
        s.said("confirmed: no progress for 0.5 s after it -> relaunch")
        s.job(2).exit(0)
        assert s.result() == 0
        assert s.sizes() == [(256, "oom"), (128, "succeeded")]


def test_a_server_oom_waits_for_the_answer_then_a_500_acts(tmp_path: Path) -> None:
    server = tmp_path / "server.log"
    server.write_text("server started\n")
    with Session(tmp_path, oom_wait_s=600) as s:
        first = s.job(1)
        append(server, TRACEBACK)
        s.said("OOM at server.log")
        assert s.supervisor.status().state == "running"  # no evidence yet: the job runs on
        append(server, ACCESS_500)
        s.said("confirmed: the server answered HTTP 5xx (1x) -> relaunch")
        s.job(2).exit(0)
        assert s.result() == 0
        assert s.sizes() == [(256, "oom"), (128, "succeeded")]
        assert first.code == -15  # stopped by evalmon, not by itself


def test_a_non_zero_exit_after_progress_still_confirms(tmp_path: Path) -> None:
    """Another rank went on for a few steps before the launcher tore the job down."""
    with Session(tmp_path, oom_wait_s=600) as s:
        first = s.job(1)
        append(first.err, bar(1) + TRACEBACK + bar(2) + bar(3) + bar(4) + bar(5))
        s.said("OOM at attempt-1.err")
        first.exit(1)
        s.job(2).exit(0)
        assert s.result() == 0
        assert s.sizes() == [(256, "oom"), (128, "succeeded")]
    assert any("confirmed: exited 1" in line for line in s.lines), s.lines


def test_server_200s_after_the_oom_are_progress(tmp_path: Path) -> None:
    server = tmp_path / "server.log"
    server.write_text("server started\n")
    with Session(tmp_path, oom_wait_s=2) as s:
        first = s.job(1)
        append(server, TRACEBACK)
        s.said("OOM at server.log")
        append(server, ACCESS_200)
        s.said("was survived: progress went on")
        first.exit(0)
        assert s.result() == 0
        assert s.sizes() == [(256, "succeeded")]
