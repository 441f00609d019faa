"""The demo's offline tokenizer is built once, and the demo says "building" only then."""

from __future__ import annotations

from pathlib import Path

from evalmon_demo.tokenizer import ensure_tokenizer


def test_building_is_announced_only_when_the_tokenizer_is_built(tmp_path: Path, capsys) -> None:
    from evalmon.cli.demo import _say_building_tokenizer

    target = tmp_path / "tokenizer"
    assert ensure_tokenizer(target, on_build=_say_building_tokenizer) == target.resolve()
    assert (target / "tokenizer.json").is_file()
    assert capsys.readouterr().out == (
        "evalmon demo: building the offline tokenizer (first use only)...\n")
    # the second run finds it: not a word about building
    assert ensure_tokenizer(target, on_build=_say_building_tokenizer) == target.resolve()
    assert capsys.readouterr().out == ""
