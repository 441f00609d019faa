"""The attempt record: round trip, torn last line, the run lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalmon.supervisor.model import Attempt
from evalmon.supervisor.record import (
    RecordError,
    RecordWriter,
    read_record,
    record_path,
)


def _attempt(n: int, **kw: object) -> Attempt:
    return Attempt(number=n, batch_size=256 // n, started_at=1000.0 + n, **kw)  # type: ignore[arg-type]


def test_round_trip_last_line_per_attempt_wins(tmp_path: Path) -> None:
    with RecordWriter(str(tmp_path)) as rec:
        rec.session("s1", "run-a", ["lm_eval", "--batch_size", "256"], 1000.0)
        rec.attempt("s1", _attempt(1, pid=42, pid_create_time=999.5, log_files=("a.out",)))
        rec.attempt("s1", _attempt(1, pid=42, outcome="oom", ended_at=1005.0, reason="OOM"))
        rec.attempt("s1", _attempt(2, pid=43))
        rec.finish("s1", "succeeded", "done", 1010.0)
    contents = read_record(str(tmp_path))
    (session,) = contents.sessions
    assert session.run == "run-a" and session.finished and session.final_state == "succeeded"
    first, second = session.ordered_attempts()
    assert first.outcome == "oom" and first.ended_at == 1005.0 and first.duration_s == 4.0
    assert second.pid == 43 and second.outcome == "running"
    assert contents.skipped_lines == 0


def test_torn_last_line_is_skipped_and_never_glued_to_the_next(tmp_path: Path) -> None:
    with RecordWriter(str(tmp_path)) as rec:
        rec.session("s1", "run-a", ["cmd"], 1.0)
        rec.attempt("s1", _attempt(1))
    with open(record_path(str(tmp_path)), "ab") as fh:
        fh.write(b'{"v":1,"type":"attempt","session":"s1","attempt":{"numb')  # crash mid-write
    contents = read_record(str(tmp_path))
    assert contents.skipped_lines == 1
    assert [a.number for a in contents.sessions[0].ordered_attempts()] == [1]
    with RecordWriter(str(tmp_path)) as rec:  # the next writer ends the torn line first
        rec.attempt("s1", _attempt(2))
    contents = read_record(str(tmp_path))
    assert [a.number for a in contents.sessions[0].ordered_attempts()] == [1, 2]
    assert contents.skipped_lines == 1


def test_garbage_never_raises(tmp_path: Path) -> None:
    os.makedirs(tmp_path / ".evalmon")
    (tmp_path / ".evalmon" / "attempts.jsonl").write_bytes(b"\x00\xff\n[1,2]\n{}\nnull\n")
    assert read_record(str(tmp_path)).sessions == []


def test_lock_keeps_a_second_supervisor_off(tmp_path: Path) -> None:
    with RecordWriter(str(tmp_path)):
        with pytest.raises(RecordError, match="already running"):
            RecordWriter(str(tmp_path)).open()
        # another process too (flock is per open file description)
        code = subprocess.run(
            [sys.executable, "-c",
             "import sys; from evalmon.supervisor.record import RecordWriter, RecordError\n"
             "try:\n  RecordWriter(sys.argv[1]).open()\nexcept RecordError:\n  sys.exit(7)",
             str(tmp_path)],
            check=False,
        ).returncode
        assert code == 7
    RecordWriter(str(tmp_path)).open().close()  # released on close


def test_lock_released_when_the_holder_is_killed(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys,time; from evalmon.supervisor.record import RecordWriter\n"
         "RecordWriter(sys.argv[1]).open(); print('locked', flush=True); time.sleep(60)",
         str(tmp_path)],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        with pytest.raises(RecordError):
            RecordWriter(str(tmp_path)).open()
    finally:
        holder.kill()
        holder.wait()
    RecordWriter(str(tmp_path)).open().close()
