"""Any job under `evalmon run` is in `evalmon report` with every attempt and its outcome
(issue 12 item 6), lm-eval or not: read from the attempt record."""

from __future__ import annotations

import json
from pathlib import Path

from evalmon.cli.report import report_main
from evalmon.supervisor.model import Attempt
from evalmon.supervisor.record import RecordWriter


def recorded(folder: Path) -> None:
    (folder / "attempt-1.out").write_text("+ my_eval --bs 64\nstep 1\n")
    (folder / "attempt-2.out").write_text("+ my_eval --bs 32\nstep 1\nstep 2\ndone\n")
    with RecordWriter(str(folder)) as rec:
        rec.session("s1", "run-x", ["my_eval", "--bs", "{batch_size}"], 1.0)
        rec.attempt("s1", Attempt(1, 64, 10.0, 20.0, pid=11, outcome="stalled",
                                  reason="no progress: nothing written since 03:14:05"))
        rec.attempt("s1", Attempt(2, 64, 21.0, 40.0, pid=12, outcome="succeeded",
                                  reason="exited 0", exit_code=0))
        rec.finish("s1", "succeeded", "exited 0", 41.0)


def test_the_report_lists_every_attempt_with_its_outcome(tmp_path: Path, capsys) -> None:
    recorded(tmp_path)
    assert report_main([str(tmp_path), "--no-metrics"]) == 0
    out = capsys.readouterr().out
    assert "session s1: succeeded" in out
    assert "stalled" in out and "nothing written since 03:14:05" in out
    assert "succeeded  exited 0" in out
    assert report_main([str(tmp_path), "--no-metrics", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(a["number"], a["batch_size"], a["outcome"]) for a in data["attempts"]] == [
        (1, 64, "stalled"), (2, 64, "succeeded")
    ]
    assert data["attempts"][-1]["session_state"] == "succeeded"


def test_a_folder_without_a_record_has_no_attempts_key(tmp_path: Path, capsys) -> None:
    (tmp_path / "eval.log").write_text("hello\n")
    assert report_main([str(tmp_path), "--no-metrics", "--format", "json"]) == 0
    assert "attempts" not in json.loads(capsys.readouterr().out)
