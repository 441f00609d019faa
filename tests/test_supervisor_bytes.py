"""Which bytes belong to which attempt: the supervisor on a real Monitor, jobs played by the test.

The "jobs" are files the test writes and exit codes it sets (a fake launcher), so each case
says exactly what was written when; every wait has a deadline.
"""

from __future__ import annotations

import time
from pathlib import Path

from evalmon.supervisor import argv as argv_mod
from evalmon.supervisor.model import Attempt
from evalmon.supervisor.record import RecordWriter, read_record
from tests.played_jobs import (
    ACCESS_500,
    COMMAND,
    TRACEBACK,
    FakeJob,
    FakeLauncher,
    Session,
    append,
    ranked,
)
from tests.waiting import wait_for


def test_a_late_rank_report_in_the_old_attempts_log_is_that_attempts(tmp_path: Path) -> None:
    with Session(tmp_path) as s:
        first = s.job(1)
        append(first.err, TRACEBACK)
        first.exit(1)
        second = s.job(2)
        # rank 1's report of the same OOM reaches attempt-1.err after the relaunch
        append(first.err, ranked(TRACEBACK, 1))
        second.exit(0)  # the supervisor reads everything written before it saw the exit
        assert s.result() == 0
        assert s.sizes() == [(256, "oom"), (128, "succeeded")]
    assert any("a late report in attempt 1's log" in line for line in s.lines), s.lines


def test_an_oom_of_the_new_attempt_in_a_shared_log_is_a_new_failure(tmp_path: Path) -> None:
    """One server log for every attempt: rank-prefixed tracebacks around unprefixed access
    lines, eleven lines apart. The second is attempt 2's failure, not a repeat."""
    server = tmp_path / "server.log"
    server.write_text("server started\n")
    with Session(tmp_path) as s:
        first = s.job(1)
        append(server, ACCESS_500 + ranked(TRACEBACK, 0))
        first.exit(1)
        second = s.job(2)
        append(server, ACCESS_500 + ranked(TRACEBACK, 0))
        second.exit(1)
        s.job(3).exit(0)
        assert s.result() == 0
        assert s.sizes() == [(256, "oom"), (128, "oom"), (64, "succeeded")]
        tried = s.supervisor.status().attempts
        assert [(Path(a.oom_file or "").name, a.oom_line) for a in tried[:2]] == [
            ("server.log", 12), ("server.log", 23)
        ]


def test_an_oom_written_before_the_launch_is_never_the_new_attempts(tmp_path: Path) -> None:
    server = tmp_path / "server.log"
    server.write_text(ACCESS_500 + TRACEBACK)  # an earlier run's failure
    with Session(tmp_path) as s:
        s.job(1).exit(0)
        assert s.result() == 0
        assert s.sizes() == [(256, "succeeded")]


def test_the_launch_offsets_are_recorded_and_a_restart_counts_from_them(tmp_path: Path) -> None:
    """A second session (evalmon killed, then run again) adopts attempt 1 of that session,
    whose stderr already held the first session's OOM: only its own bytes count."""
    err = tmp_path / "attempt-1.err"
    err.write_text(TRACEBACK)  # the first session's attempt 1
    (tmp_path / "attempt-1.out").write_text("")
    old_end = err.stat().st_size
    key = argv_mod.run_key(COMMAND, "local")
    with RecordWriter(str(tmp_path)) as record:
        record.session("s2", key, COMMAND, time.time())
        record.attempt("s2", Attempt(
            1, 256, started_at=time.time(), log_files=(str(tmp_path / "attempt-1.out"), str(err)),
            log_offsets=((str(tmp_path / "attempt-1.out"), 0), (str(err), old_end)),
        ))
    append(err, "2026-11-24:03:00:01 INFO     [evaluator:589] Running loglikelihood requests\n")
    launcher = FakeLauncher(tmp_path)
    launcher.adoptable = FakeJob(tmp_path, 1)
    with Session(tmp_path, launcher) as s:
        wait_for(lambda: any("adopted attempt 1" in line for line in s.lines), 20, "the adoption")
        assert s.supervisor.status().state == "running"  # the old OOM is not its failure
        append(err, TRACEBACK)  # its own
        launcher.adoptable.exit(1)
        s.job(1).exit(0)  # the relaunch, attempt 2 (the launcher's first launch)
        assert s.result() == 0
        assert s.sizes() == [(256, "oom"), (128, "succeeded")]
    recorded = read_record(str(tmp_path)).sessions[-1].ordered_attempts()
    assert recorded[0].oom_line == 21  # 10 old lines, the INFO line, its traceback
    assert dict(recorded[1].log_offsets) == {
        str(tmp_path / "attempt-2.out"): 0, str(tmp_path / "attempt-2.err"): 0,
    }


def test_a_server_still_logging_the_old_attempts_ooms_is_waited_for(tmp_path: Path) -> None:
    """The fallback for a log every attempt shares: after the relaunch decision, the loop
    waits until it has been quiet for a while (here 2 s) before the next launch, so the lines
    a server still writes for the stopped attempt are read before the launch's offsets."""
    server = tmp_path / "server.log"
    server.write_text("server started\n")
    with Session(tmp_path, settle_quiet_s=2.0) as s:
        first = s.job(1)
        append(server, ACCESS_500 + TRACEBACK)
        first.exit(1)
        wait_for(lambda: s.supervisor.status().state == "relaunching", 20, "the relaunch decision")
        append(server, ACCESS_500 + ranked(TRACEBACK, 2))
        s.job(2).exit(0)
        assert s.result() == 0
        assert s.sizes() == [(256, "oom"), (128, "succeeded")]


def test_a_big_log_that_appears_during_the_attempt_is_read_whole(tmp_path: Path) -> None:
    """A log bigger than the tail-first threshold (8 MiB) shows its tail first and its start
    later, as history: if the file appeared after the launch, its start is the attempt's too."""
    filler = ("INFO:     127.0.0.1:53412 - \"POST /v1/completions HTTP/1.1\" 200 OK\n" * 1000)
    with Session(tmp_path) as s:
        s.job(1)
        with open(tmp_path / "server.log", "w") as fh:
            fh.write(ACCESS_500 + TRACEBACK)  # in the history part
            for _ in range(150):
                fh.write(filler)  # ~9.8 MB after it
        s.job(2).exit(0)
        assert s.result() == 0
        assert s.sizes() == [(256, "oom"), (128, "succeeded")]
