"""The first-sight scorer the README's figures come from, on a folder of two real excerpts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.oom_first_sight import main
from tests.oom_real_lines import CORPUS_DIR


def test_it_scores_a_collected_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for rel in ("darknet/rnn-train-cuda-oom-98.log",
                "darknet/map-buffer-launch-timeout-errno-6381.log"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS_DIR / rel, tmp_path / rel)
    assert main([str(tmp_path), "-v"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{tmp_path.name}: strict 1/1, found 1/1, false alarms 0/1"
    assert out[1] == "  ok darknet/rnn-train-cuda-oom-98.log: "
