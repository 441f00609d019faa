"""Hostile log text is shown inert: no escape sequence reaches the terminal, no Rich markup is
interpreted, and a 100 KB line neither slows the screen down nor breaks the layout."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import re
from typing import Any

import pytest
from textual.widgets import RichLog

from evalmon.events import Alert, GpuProcess, OutOfMemory
from evalmon.pipeline import StaticFeed
from evalmon.sources.logfile import RawLine
from evalmon.state.model import OomRecord
from evalmon.ui.app import EvalmonApp
from evalmon.ui.inert import MAX_DRAWN_CHARS, inert
from tests.test_ui_pilot import story, text_of

MARKUP = "[bold red]x[/] [link=https://evil.example]click[/link] [@click=app.quit]q[/]"
ANSI = "\x1b[31mred\x1b[0m \x1b[2J\x1b[H\x1b[?1049h cleared"
OSC = "\x1b]0;pwned-title\x07 \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ after"
DCS = "\x1bP+q544e\x1b\\ \x9b31m c1 \x1bc reset \x00nul\x07bell\x08bs"
HUGE = "A" * 100_000


# --------------------------------------------------------------------------- inert()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (ANSI, "red  cleared"),
        (OSC, " link after"),
        (DCS, "  c1  reset nulbellbs"),
        (MARKUP, MARKUP),
        ("tab\there", "tab    here"),
        ("\x1b[", ""),  # cut-off sequence
        ("\x1b]0;no terminator", ""),
    ],
)
def test_inert_removes_escapes_and_keeps_markup_literal(raw: str, shown: str) -> None:
    assert inert(raw) == shown


def test_inert_caps_a_huge_line_and_says_how_much_was_cut() -> None:
    out = inert(HUGE)
    assert out.startswith("A" * MAX_DRAWN_CHARS)
    assert out.endswith(f"… (+{100_000 - MAX_DRAWN_CHARS:,} chars)")
    assert len(out) < MAX_DRAWN_CHARS + 40


# --------------------------------------------------------------------------- the raw tail


# --------------------------------------------------------------------------- on screen


def hostile_snapshot() -> Any:
    base = story()
    r104 = base.runs[-1]
    oom = OutOfMemory(kind="gpu", origin="pytorch", message=f"{MARKUP} {ANSI}")
    hostile_run = dataclasses.replace(
        r104,
        ooms=(OomRecord("logs/server-104.log", 9, oom),),
        alerts=(Alert("warning", "stall", f"{OSC} {MARKUP}"),),
    )
    gpu = base.gpus[0]
    sample = dataclasses.replace(
        gpu.latest, processes=(GpuProcess(4242, 1 << 30, f"{MARKUP}{ANSI}"),)
    )
    return dataclasses.replace(
        base,
        runs=(*base.runs[:3], hostile_run),
        gpus=(dataclasses.replace(gpu, latest=sample),),
        warnings=(f"{DCS} {MARKUP}",),
    )


HOSTILE_TAIL = tuple(
    RawLine(i, "logs/eval-104.out", text)
    for i, text in enumerate([MARKUP, ANSI, OSC, DCS, HUGE, "the last line"], start=1)
)


def screen_text(app: EvalmonApp) -> str:
    """Every character Textual would draw, from its own SVG export."""
    svg = app.export_screenshot()
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(texts)).replace("\xa0", " ")


def test_hostile_text_is_shown_literally_and_never_reaches_the_terminal() -> None:
    feed = StaticFeed(hostile_snapshot(), now=1000.0, tail=HOSTILE_TAIL)
    app = EvalmonApp(feed, pump=False)

    async def main() -> None:
        async with app.run_test(size=(200, 50)) as pilot:
            app.pull()
            await pilot.pause()
            assert app.is_running and not app.problems
            log_text = text_of(app, "#log-lines")
            assert "[bold red]x[/] [link=https://evil.example]click[/link]" in log_text
            assert "red  cleared" in log_text and "pwned" not in log_text
            assert "the last line" in log_text
            events = text_of(app, "#events")
            assert "[bold red]x[/]" in events and "pwned" not in events
            assert "[bold red]x[/]" in text_of(app, "#gpu")
            drawn = screen_text(app)
            assert "\x1b" not in drawn and "\x9b" not in drawn and "\x07" not in drawn
            assert "pwned" not in drawn
            assert "[bold red]x[/]" in drawn

    asyncio.run(main())


def test_a_100kb_line_does_not_break_the_layout() -> None:
    async def regions(tail: tuple[RawLine, ...]) -> dict[str, Any]:
        app = EvalmonApp(StaticFeed(story(), now=1000.0, tail=tail), pump=False)
        async with app.run_test(size=(160, 45)) as pilot:
            app.pull()
            await pilot.pause()
            log = app.query_one("#log-lines", RichLog)
            return {
                **{sel: app.query_one(sel).region for sel in
                   ("#status", "#runs", "#progress", "#log", "#events", "Footer")},
                "log_width": log.virtual_size.width,
                "lines": len(log.lines),
            }

    calm = asyncio.run(regions(HOSTILE_TAIL[-1:]))
    wild = asyncio.run(regions(HOSTILE_TAIL))
    for selector in ("#status", "#runs", "#progress", "#log", "#events", "Footer"):
        assert wild[selector] == calm[selector], selector
    assert wild["lines"] == len(HOSTILE_TAIL)  # one line each, none wrapped into many
    assert wild["log_width"] <= MAX_DRAWN_CHARS + 100  # capped, not 100 000 columns


# --------------------------------------------------------------------------- hostile names


HOSTILE_IDS = ("a[/]", "[bold]x[/bold]", "b\x1b]52;c;cHduZWQ=\x07\x1b[2Jc", "[@click=app.quit]q")


def test_hostile_run_and_file_names_are_literal_everywhere_even_in_the_palette() -> None:
    """A run named ``a[/]`` once crashed the command palette (exit status 0); markup in a
    file name was interpreted in titles; an OSC 52 clipboard write reached the terminal."""
    base = story()
    runs = tuple(
        dataclasses.replace(r, id=name, files=(f"logs/{name}.out",))
        for r, name in zip(base.runs, HOSTILE_IDS, strict=True)
    )
    snapshot = dataclasses.replace(base, runs=runs)
    tail = (RawLine(1, f"logs/{HOSTILE_IDS[0]}.out", "a line"),)
    feed = StaticFeed(snapshot, now=1000.0, tail=tail)

    async def main() -> None:
        for size in ((200, 50), (80, 24)):
            app = EvalmonApp(feed, pump=False)
            async with app.run_test(size=size) as pilot:
                app.pull()
                await pilot.pause()
                for run_id in HOSTILE_IDS:
                    app.select_run(run_id)
                    await pilot.pause()
                    drawn = screen_text(app)
                    assert inert(run_id) in drawn, run_id
                    assert "\x1b" not in drawn and "\x07" not in drawn
                    assert "cHduZWQ=" not in drawn or "52;c" not in drawn
                await pilot.press("ctrl+p")
                await pilot.pause()
                await pilot.press(*"Switch")
                for _ in range(20):  # the palette searches in a worker
                    await pilot.pause(0.05)
                assert app.is_running
                drawn = screen_text(app)
                assert "Switch to run a[/]" in drawn
                await pilot.press("escape")
                await pilot.pause()
                assert app.is_running and not app.problems
                commands = {c.title: c for c in app.get_system_commands(app.screen)}
                switch = [t for t in commands if t.startswith("Switch to run")]
                assert len(switch) == len(HOSTILE_IDS)
                commands[switch[0]].callback()
                await pilot.pause()
                assert app.selected_run == HOSTILE_IDS[0]

    asyncio.run(main())
