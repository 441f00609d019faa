"""A fatal OOM is acted on only with evidence that the job failed (issue 12, item 2).

The supervisor on a real Monitor; the "jobs" are files the test writes and exit codes it sets
(tests/test_supervisor_bytes.py's fake launcher), so each case says what was written when.
"""

from __future__ import annotations

import threading
from pathlib import Path

from evalmon.pipeline import Monitor
from evalmon.supervisor.policy import Policy
from evalmon.supervisor.supervisor import Supervisor, SupervisorOptions
from tests.test_supervisor_bytes import ACCESS_500, COMMAND, TRACEBACK, FakeLauncher, append
from tests.waiting import wait_for

ACCESS_200 = '127.0.0.1 - - [24/Nov/2026 03:00:02] "POST /completions HTTP/1.1" 200 -\n'


def bar(n: int, total: int = 40) -> str:
    # one bar line per step, newline-terminated: the lines after the OOM reach the parser
    pct = 100 * n // total
    return f"Requesting API:  {pct:2d}%|     | {n}/{total} [00:0{n % 10}<00:10,  1.00it/s]\n"


class Session:
    def __init__(self, folder: Path, oom_wait_s: float) -> None:
        self.launcher = FakeLauncher(folder)
        self.lines: list[str] = []
        self.monitor = Monitor([str(folder)], reduce=False)
        options = SupervisorOptions(
            command=COMMAND, log_dir=str(folder), policy=Policy(initial_batch_size=256),
            grace=0.1, settle_quiet_s=0.05, oom_wait_s=oom_wait_s,
        )
        self.supervisor = Supervisor(options, self.launcher, self.monitor,
                                     printer=self.lines.append)
        self.code: list[int] = []
        self.thread = threading.Thread(target=lambda: self.code.append(self.supervisor.run()))

    def __enter__(self) -> Session:
        self.monitor.start()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.supervisor.stop()
        for job in self.launcher.jobs:
            if job.code is None:
                job.exit(0)
        self.thread.join(30)
        self.monitor.stop()

    def job(self, n: int):
        return wait_for(lambda: len(self.launcher.jobs) >= n and self.launcher.jobs[n - 1],
                        20, f"attempt {n} to start")

    def said(self, text: str) -> str:
        return wait_for(lambda: next((x for x in self.lines if text in x), ""), 20, repr(text))

    def result(self) -> int:
        self.thread.join(30)
        assert not self.thread.is_alive()
        return self.code[0]

    def sizes(self) -> list[tuple[int | None, str]]:
        return [(a.batch_size, a.outcome) for a in self.supervisor.status().attempts]


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
