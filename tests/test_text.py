"""The one sanitizer for log text shown to users (evalmon.text.inert): used by the dashboard,
the report and the supervisor alike."""

from __future__ import annotations

import pytest

from evalmon import text
from evalmon.ui import inert as ui_inert


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text [bold]x[/]", "plain text [bold]x[/]"),  # markup is the caller's business
        ("a\x1b[31mred\x1b[0m b", "ared b"),
        ("title \x1b]0;pwned\x07 done", "title  done"),
        ("c1 \x9b31m csi \x9d0;t\x9c osc", "c1  csi  osc"),
        ("first\nsecond\r\nthird", "first second  third"),  # one line, words kept apart
        ("sep\u2028line\u2029para\x85nel", "sep line para nel"),
        ("nul\x00bell\x07bs\x08del\x7f", "nulbellbsdel"),
        ("tab\there", "tab    here"),
        # bidi controls would reorder what follows them on screen ("Trojan Source")
        ("file\u202egnp.exe", "filegnp.exe"),
        ("\u2066isolate\u2069 \u200emark\u200f", "isolate mark"),
        ("unicode kept: é ≤ 中文 🙂", "unicode kept: é ≤ 中文 🙂"),
    ],
)
def test_inert(raw: str, shown: str) -> None:
    assert text.inert(raw) == shown


def test_inert_never_leaves_a_control_or_line_break() -> None:
    every = "".join(chr(c) for c in range(0x20)) + "".join(chr(c) for c in range(0x7F, 0xA0))
    out = text.inert(every + "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert out.isprintable()
    assert len(out.splitlines()) <= 1


def test_inert_bounds_length_and_says_what_was_cut() -> None:
    assert text.inert("x" * 10, 4) == "xxxx… (+6 chars)"
    assert text.inert("x" * 4, 4) == "xxxx"
    huge = text.inert("A" * 1_000_000)
    assert huge.endswith(f"… (+{1_000_000 - text.MAX_DRAWN_CHARS:,} chars)")


def test_one_function_everywhere() -> None:
    """The UI re-exports it and the supervisor's terminal lines go through it."""
    from evalmon.supervisor import supervisor

    assert ui_inert.inert is text.inert
    hostile = "OOM \x1b]0;pwned\x07 at\nrank 0\u202e" + "y" * 400
    assert supervisor._inert(hostile, 160) == text.inert(hostile, 160)
