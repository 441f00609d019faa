"""The dashboard in any terminal: the layout arithmetic (pure), then the real app through
Pilot at the three sizes it is built for (80x24, 120x40, 200x50) and the keys that change it."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable, Tabs

from evalmon.events import OutOfMemory, PythonException
from evalmon.pipeline import StaticFeed
from evalmon.state.model import ExceptionRecord, OomRecord, Snapshot
from evalmon.supervisor.model import Attempt, SupervisorStatus
from evalmon.ui import layout
from evalmon.ui.app import EvalmonApp
from tests.test_ui_pilot import TAIL, run, story, text_of

# --------------------------------------------------------------------------- pure layout


@pytest.mark.parametrize(
    ("size", "mode"),
    [
        ((80, 24), "focused"),  # xterm, macOS Terminal, GNOME Terminal defaults
        ((99, 50), "focused"),
        ((200, 20), "focused"),  # a wide but short panel (an editor's terminal)
        ((100, 30), "columns"),  # half a laptop screen
        ((120, 40), "columns"),
        ((159, 60), "columns"),
        ((200, 35), "columns"),
        ((160, 40), "wide"),  # a full screen
        ((200, 50), "wide"),
    ],
)
def test_breakpoints(size: tuple[int, int], mode: str) -> None:
    assert layout.mode_for(*size) == mode


def covered(rects: dict[str, layout.Rect], width: int, height: int) -> None:
    """The rectangles tile the area: inside it, no overlap, no gap."""
    for name, r in rects.items():
        assert r.width > 0 and r.height > 0, name
        assert r.x >= 0 and r.y >= 0 and r.x + r.width <= width and r.y + r.height <= height
    for (a_name, a), (b_name, b) in itertools.combinations(rects.items(), 2):
        apart = (a.x + a.width <= b.x or b.x + b.width <= a.x
                 or a.y + a.height <= b.y or b.y + b.height <= a.y)
        assert apart, f"{a_name} overlaps {b_name}"
    assert sum(r.width * r.height for r in rects.values()) == width * height, "a gap is left"


SIZES = [(76, 18), (98, 40), (118, 33), (158, 55), (198, 44), (240, 70)]


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_layout_tiles_its_area_whatever_is_hidden(width: int, height: int) -> None:
    needs = layout.Needs(runs=9, progress=12, attempts=7, histogram=8, gpu=20)
    panels = layout.PANEL_IDS
    for mode, view in [("wide", "runs"), ("columns", "runs"),
                       *(("focused", v) for v, _ in layout.VIEWS)]:
        tree = layout.layout_tree(mode, view, width, height, needs)  # type: ignore[arg-type]
        for hidden in itertools.chain([()], itertools.combinations(panels, 1),
                                      itertools.combinations(panels, 3)):
            visible = frozenset(panels) - set(hidden)
            rects = layout.tile(tree, width, height, visible)
            if not rects:
                continue
            covered(rects, width, height)
            plan = layout.grid_plan(rects)
            assert sum(plan.columns) == width and sum(plan.rows) == height


def test_hidden_panels_give_their_room_to_the_others() -> None:
    tree = layout.layout_tree("wide", "runs", 200, 46, layout.Needs())
    everything = frozenset(layout.PANEL_IDS)
    full = layout.tile(tree, 200, 46, everything)
    without_log = layout.tile(tree, 200, 46, everything - {"log"})
    assert without_log["events"].width > full["events"].width
    assert without_log["events"].x == 0
    no_bottom = everything - {"log", "events", "attempts", "processes"}
    rects = layout.tile(tree, 200, 46, no_bottom)
    assert rects["gpu"].y + rects["gpu"].height == 46  # the charts grow to the bottom


def test_grid_plan_orders_panels_row_by_row() -> None:
    rects = layout.tile(layout.layout_tree("columns", "runs", 120, 36, layout.Needs()),
                        120, 36, frozenset(layout.PANEL_IDS))
    plan = layout.grid_plan(rects)
    assert plan.order[:2] == ("runs", "events")
    assert {n for n, (c, _) in plan.spans.items() if c > 1} <= {"runs", "progress", "processes"}


# --------------------------------------------------------------------------- the app


def supervised(state: str = "running", *, second: str = "running") -> SupervisorStatus:
    return SupervisorStatus(
        command=("lm_eval", "run"), log_dir="logs", state=state,  # type: ignore[arg-type]
        max_attempts=4, message="exited 0" if state == "succeeded" else "",
        attempts=(
            Attempt(1, 256, started_at=0.0, ended_at=95.0, pid=11, outcome="oom",
                    reason="GPU out of memory at batch size 256; relaunching with 128",
                    state="exited -15", oom_file="logs/server-103.log", oom_line=187),
            Attempt(2, 128, started_at=100.0, pid=4200, outcome=second,  # type: ignore[arg-type]
                    state="running"),
        ),
    )


def drive(snapshot: Snapshot, body: Callable[[Any, EvalmonApp, StaticFeed], Awaitable[None]],
          *, size: tuple[int, int], supervisor: SupervisorStatus | None = None,
          **app_args: Any) -> None:
    feed = StaticFeed(snapshot, now=1000.0, tail=TAIL, supervisor=supervisor)
    app = EvalmonApp(feed, pump=False, **app_args)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            app.pull()
            await pilot.pause()
            await pilot.pause()
            await body(pilot, app, feed)

    asyncio.run(main())


def shown_panels(app: EvalmonApp) -> set[str]:
    return {p for p in layout.PANEL_IDS if app.query_one(f"#{p}").display}


def assert_panels_fill_the_body(app: EvalmonApp) -> None:
    body = app.query_one("#body").region
    area = sum(app.query_one(f"#{p}").region.area for p in shown_panels(app))
    assert area == body.area
    for p in shown_panels(app):
        assert body.contains_region(app.query_one(f"#{p}").region), p


KEY_COLUMNS = ["Run", "Status", "Req/s", "ETA", "Issues"]


def headers(app: EvalmonApp) -> list[str]:
    table = app.query_one("#runs", DataTable)
    return [str(c.label) for c in table.columns.values()]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
def test_what_matters_now_is_on_screen_at_every_size_without_a_key(
    size: tuple[int, int],
) -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        now = text_of(app, "#now")
        # the selected run's rate and ETA, its worst problem, and the supervisor's story
        assert "run 104 running" in now and "11.8 req/s" in now and "ETA 2m00s" in now
        assert "OOM at batch 256 → relaunched at 128" in now
        assert app.query_one("#now").region.width == size[0]
        # the runs table's key columns come first and are all on screen, never scrolled away
        assert headers(app)[:5] == KEY_COLUMNS
        table = app.query_one("#runs", DataTable)
        assert not table.show_horizontal_scrollbar
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert_panels_fill_the_body(app)

    drive(story(), body, size=size, supervisor=supervised())


def test_80x24_shows_one_view_at_a_time_switched_by_keys_and_tabs() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        assert app.mode == "focused"
        tabs = app.query_one("#views", Tabs)
        assert tabs.display and tabs.active == "tab-runs"
        assert shown_panels(app) == {"runs", "progress"}
        expected = {
            "2": {"progress", "throughput"},
            "3": {"engine", "histogram"},
            "4": {"gpu", "processes"},
            "5": {"events", "attempts"},
            "6": {"log"},
            "1": {"runs", "progress"},
        }
        for key, panels in expected.items():
            await pilot.press(key)
            await pilot.pause()
            assert shown_panels(app) == panels, key
            assert_panels_fill_the_body(app)
        # the toggle keys open their view instead of hiding a panel
        await pilot.press("l")
        await pilot.pause()
        assert shown_panels(app) == {"log"} and tabs.active == "tab-log"
        await pilot.click("#tab-events")
        await pilot.pause()
        assert shown_panels(app) == {"events", "attempts"}
        # the Events view: the OOM and the relaunch, then the advice
        events = text_of(app, "#events")
        assert events.index("relaunched") < events.index("concurrency lock")
        assert "OOM at batch 256 → attempt 2 at batch 128" in events

    drive(story(), body, size=(80, 24), supervisor=supervised())


def test_120x40_is_two_columns_and_200x50_three_bands() -> None:
    async def columns(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        assert app.mode == "columns" and not app.query_one("#views").display
        left = {p for p in shown_panels(app) if app.query_one(f"#{p}").region.x == 0}
        right = {p for p in shown_panels(app) if app.query_one(f"#{p}").region.x == 60}
        assert left == {"runs", "progress", "throughput", "processes"}
        assert {"events", "attempts", "gpu", "log"} <= right
        assert app.query_one("#engine").region.right == 60  # beside throughput, on the left
        for panel in ("throughput", "engine", "events", "log"):
            assert app.query_one(f"#{panel}").region.height >= 7, panel

    async def wide(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        assert app.mode == "wide"
        assert shown_panels(app) == set(layout.PANEL_IDS)
        top = app.query_one("#runs").region.y
        assert app.query_one("#progress").region.y == top
        charts = {app.query_one(f"#{p}").region.y for p in ("throughput", "engine",
                                                            "histogram", "gpu")}
        assert len(charts) == 1 and charts.pop() > top
        for panel in ("throughput", "engine", "histogram", "gpu"):
            assert app.query_one(f"#{panel}").region.width >= 40, panel

    drive(story(), columns, size=(120, 40), supervisor=supervised())
    drive(story(), wide, size=(200, 50), supervisor=supervised())


def test_resizing_moves_between_layouts() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        for size, mode in (((80, 24), "focused"), ((120, 40), "columns"),
                           ((200, 50), "wide"), ((80, 24), "focused")):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            assert app.mode == mode, size
            assert app.screen.has_class(f"-{mode}")
            assert_panels_fill_the_body(app)
            assert headers(app)[:5] == KEY_COLUMNS

    drive(story(), body, size=(200, 50))


@pytest.mark.parametrize("size", [(120, 40), (200, 50)])
def test_hiding_panels_leaves_no_empty_space(size: tuple[int, int]) -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        for keys in (("l",), ("c",), ("s",), ("l", "e", "s"), ("c", "g"),
                     ("l", "e", "c", "g", "s")):
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            assert_panels_fill_the_body(app)
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            assert shown_panels(app) == shown_before, keys

    shown_before = {"runs", "progress", "throughput", "engine", "gpu", "log", "events",
                    "attempts", "processes"} | ({"histogram"} if size[0] >= 160 else set())
    drive(story(), body, size=size, supervisor=supervised())


def test_s_outside_evalmon_run_says_why_nothing_changes() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        before = shown_panels(app)
        await pilot.press("s")
        await pilot.pause()
        assert shown_panels(app) == before
        notes = [str(n.message) for n in app._notifications]
        assert any("evalmon run" in n for n in notes), notes

    snapshot = dataclasses.replace(story(), processes=())
    drive(snapshot, body, size=(200, 50))


def test_no_stray_scrollbars_in_short_tables() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        for panel in ("runs", "attempts", "processes"):
            widget = app.query_one(f"#{panel}")
            assert not widget.show_horizontal_scrollbar, panel
            assert not widget.show_vertical_scrollbar, panel

    drive(story(), body, size=(200, 50), supervisor=supervised())


# --------------------------------------------------------------------------- events


def test_one_oom_is_one_row_however_many_tracebacks_report_it() -> None:
    oom = OutOfMemory(kind="gpu", origin="pytorch", fatal=True, bytes_tried=20 << 30,
                      message="torch.OutOfMemoryError: CUDA out of memory. Tried to allocate "
                      "20.00 GiB. " + "x" * 400)
    tracebacks = tuple(
        ExceptionRecord("logs/server-104.log", line, PythonException(
            "torch.OutOfMemoryError", "CUDA out of memory. Tried to allocate 20.00 GiB. "
            + "y" * 400))
        for line in (40, 80, 120)
    )
    base = story()
    r104 = dataclasses.replace(base.runs[-1], ooms=(OomRecord("logs/server-104.log", 40, oom),),
                               exceptions=tracebacks, alerts=())
    snapshot = dataclasses.replace(base, runs=(*base.runs[:3], r104))

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        rows = app.query_one("#events").rows  # type: ignore[attr-defined]
        assert [r.what for r in rows].count("OOM") == 1
        assert not [r for r in rows if r.what == "exception"]
        oom_row = next(r for r in rows if r.what == "OOM")
        assert "3 tracebacks" in oom_row.detail and len(oom_row.detail) < 300

    drive(snapshot, body, size=(200, 50))


def test_after_the_relaunch_the_new_run_does_not_look_quiet() -> None:
    """`evalmon run` selects the relaunched run; its own logs have no event yet, but the
    supervisor's story (the OOM, the relaunch) is shown with it."""
    base = story()
    fresh = run("105", "running", 128, 4, 128, None)
    snapshot = dataclasses.replace(base, runs=(*base.runs, fresh))

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        assert app.selected_run == "105"
        events = text_of(app, "#events")
        assert "all quiet" not in events and "OOM at batch 256" in events
        assert "OOM at batch 256 → relaunched at 128" in text_of(app, "#now")

    drive(snapshot, body, size=(200, 50), supervisor=supervised())


# --------------------------------------------------------------------------- keys


def test_escape_clears_the_log_filter_after_enter() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        log = app.query_one("#log")
        await pilot.press("slash", *"batching", "enter")
        await pilot.pause()
        assert len(log.visible_text()) == 2  # type: ignore[attr-defined]
        assert not app.query_one("#log-filter").has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert len(log.visible_text()) == len(TAIL)  # type: ignore[attr-defined]
        assert not app.query_one("#log-filter").display

    drive(story(), body, size=(200, 50))


def test_ctrl_c_stops_the_job_and_exits_130_under_a_supervisor() -> None:
    stopped: list[bool] = []
    result: list[Any] = []

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = {(b.binding.key, b.binding.description) for b in app.active_bindings.values()
                 if b.binding.show}
        assert ("ctrl+c", "Stop job") in shown  # in the footer
        await pilot.press("ctrl+c")
        await pilot.pause()
        result.append(app.return_value)

    drive(story(), body, size=(120, 40), supervisor=supervised(),
          stop_job=lambda *reason: stopped.append(True))
    assert stopped == [True] and result == [130]


def test_ctrl_c_without_a_job_just_quits() -> None:
    result: list[Any] = []

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        await pilot.press("ctrl+c")
        await pilot.pause()
        result.append((app.is_running, app.return_value or 0))

    drive(story(), body, size=(80, 24))
    assert result == [(False, 0)]


def test_palette_screenshot_goes_to_the_given_folder_without_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"  # a GPU server's home: no ~/Downloads
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Screenshot"].callback()
        deadline = asyncio.get_running_loop().time() + 10
        while not app.saved_screenshots and asyncio.get_running_loop().time() < deadline:
            await pilot.pause(0.05)  # the palette's command runs on a 0.1 s timer
        assert app.saved_screenshots
        saved = Path(app.saved_screenshots[0])
        assert saved.parent == work and saved.suffix == ".svg"
        assert "<svg" in saved.read_text()
        notes = [str(n.message) for n in app._notifications]
        assert any(str(saved) in n for n in notes), notes

    drive(story(), body, size=(120, 40), screenshot_dir=os.getcwd())
    assert not (home / "Downloads").exists()


# --------------------------------------------------------------------------- details


def test_a_status_that_grows_is_never_cut() -> None:
    """'running' became 'finishe' once: the column kept the width of what it first held."""
    base = story()
    oom, live = base.runs[2], base.runs[3]  # 'oom', 'running': the demo after its relaunch

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        feed.set(snapshot=dataclasses.replace(
            base, runs=(oom, dataclasses.replace(live, status="finished"))))
        app.pull()
        await pilot.pause()
        table = app.query_one("#runs", DataTable)
        assert str(table.get_row("104")[1]) == "finished"
        status = table.columns[next(k for k in table.columns if k.value == "status")]
        assert status.get_render_width(table) >= len("finished") + 2

    drive(dataclasses.replace(base, runs=(oom, live)), body, size=(120, 40))


def test_log_tags_tell_the_files_of_a_run_apart() -> None:
    from evalmon.ui.panels.logview import file_tags

    tags = {k: v.strip() for k, v in file_tags(
        ["d/attempt-2.out", "d/attempt-2.err", "d/server-2.log"]).items()}
    assert tags == {"d/attempt-2.out": "attempt.out", "d/attempt-2.err": "attempt.err",
                    "d/server-2.log": "server"}
    tags = {k: v.strip() for k, v in file_tags(["a/x.log", "b/x.log"]).items()}
    assert len(set(tags.values())) == 2


def test_no_gpu_is_not_said_of_a_host_whose_gpu_is_shown() -> None:
    """The demo's simulated GPU (gpu-vm.jsonl) on a host whose NVML has no library."""
    from evalmon.events import GpuUnavailable

    base = story()
    host = base.gpus[0].host
    snapshot = dataclasses.replace(base, gpu_unavailable=(
        GpuUnavailable(host, "NVML library not found"), GpuUnavailable("other", "no driver")))

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = text_of(app, "#gpu")
        assert f"no GPU on {host}" not in shown and "no GPU on other: no driver" in shown

    drive(snapshot, body, size=(200, 50))


def test_a_partial_rate_is_marked_not_spelled_out_at_80x24() -> None:
    """The demo at 80x24: "70.6 (partial)" and "17.6 (partial)" took the room of three
    columns; a mark, explained under the table, keeps the batch size on screen."""
    oom = run("1", "oom", 256, 1, 256, 70.6, partial=True, docs_per_s=17.6)
    relaunched = run("2", "running", 128, 1, 256, 19.2, docs_per_s=19.2)

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        table = app.query_one("#runs", DataTable)
        row = [str(c) for c in table.get_row("1")]
        assert "70.6*" in row and "17.6*" in row and not any("partial" in c for c in row)
        assert [str(c.label) for c in table.columns.values()][:8] == [
            "Run", "Status", "Req/s", "ETA", "Issues", "Done", "Docs/s", "Batch"]
        assert "* ended part way" in str(table.border_subtitle)

    drive(dataclasses.replace(story(), runs=(oom, relaunched)), body, size=(80, 24))


def screen_row(app: EvalmonApp, y: int, x: int = 0, width: int | None = None) -> str:
    """What the terminal shows on row ``y`` (from ``x``, ``width`` cells), as plain text."""
    text = app.screen._compositor.render_strips()[y].text
    return text[x:] if width is None else text[x:x + width]


def bottom_border(app: EvalmonApp, selector: str) -> str:
    region = app.query_one(selector).region
    return screen_row(app, region.bottom - 1, region.x, region.width)


@pytest.mark.parametrize("size", [(120, 40), (200, 50)])
def test_chart_legends_are_never_cut(size: tuple[int, int]) -> None:
    from tests.test_ui_snapshot import SUPERVISED, sample_app

    app = sample_app(supervisor=SUPERVISED)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            app.pull()
            await pilot.pause()
            await pilot.pause()
            for selector, words in (("#throughput", ("req/s", "baseline 127")),
                                    ("#engine", ("per call", "batch 128"))):
                border = bottom_border(app, selector)
                assert "…" not in border, (selector, border)
                assert all(word in border for word in words), (selector, border)
                # the legend is the border's: every entry whole, between the corners
                legend = Text.from_markup(str(app.query_one(selector).border_subtitle)).plain
                assert legend and legend in border, border

    asyncio.run(main())


@pytest.mark.parametrize(("size", "keys", "cut"), [
    ((120, 40), (), False), ((200, 50), (), False),  # room for all of it
    ((80, 24), (), False),  # room for all but a finished set-up bar, which gives way first
    ((80, 24), ("2",), True),  # not: it says so
])
def test_a_short_progress_panel_says_how_many_lines_it_does_not_show(
        size: tuple[int, int], keys: tuple[str, ...], cut: bool) -> None:
    from tests.test_ui_snapshot import SUPERVISED, sample_app

    app = sample_app(supervisor=SUPERVISED)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            app.pull()
            await pilot.pause()
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            region = app.query_one("#progress").content_region
            rows = [screen_row(app, y, region.x, region.width).rstrip()
                    for y in range(region.y, region.bottom)]
            shown = "\n".join(rows)
            if not cut:  # the configuration is the last line, the server's before it
                assert "Requesting API" in shown
                if size == (80, 24):
                    assert "bar (+1 finished)" in shown and "docs: hellaswag" not in shown
                assert "model megatron-8b" in shown and rows[-1].endswith("engine max 128")
                assert "32 engine calls" in shown and "more line" not in shown, rows
            else:  # the last row says what is cut, never a bar or a figure cut silently
                assert rows[-1].startswith("… +") and "more lines" in rows[-1], rows

    asyncio.run(main())


def test_a_short_runs_throughput_is_charted_over_seconds_not_fractions_of_a_minute() -> None:
    def chart_rows(app: EvalmonApp) -> str:
        region = app.query_one("#throughput").region
        return "\n".join(screen_row(app, y, region.x, region.width)
                         for y in range(region.y, region.bottom))

    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        shown = chart_rows(app)
        assert "run time (s)" in shown, shown
        app.select_run("101")  # 19 minutes of points: minutes
        app.pull()
        await pilot.pause()
        assert "run time (min)" in chart_rows(app)

    full = story()
    short = dataclasses.replace(full.runs[3], throughput_series=tuple(
        (2.0 + i, 30.0 + i) for i in range(40)))
    drive(dataclasses.replace(full, runs=(*full.runs[:3], short)), body, size=(200, 50))


def test_each_legend_mark_has_the_colour_of_its_line_and_three_entries_fit() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        region = app.query_one("#engine").region
        strips = app.screen._compositor.render_strips()

        def colours(y: int, glyphs: str) -> set[str]:
            found, x = set(), 0
            for segment in strips[y]:
                inside = region.x <= x < region.right
                if inside and segment.style and segment.style.color and any(
                        g in segment.text for g in glyphs):
                    found.add(segment.style.color.name)
                x += segment.cell_length
            return found

        plotted = set().union(*(colours(y, "▀▄█▌▐▖▗▘▝▚▞▙▛▜▟") for y in
                                range(region.y + 1, region.bottom - 1)))
        marks = colours(region.bottom - 1, "━")
        assert len(marks) == 3 and marks <= plotted, (marks, plotted)
        border = bottom_border(app, "#engine")
        assert "…" not in border and "max 256" in border and "batch" in border, border

    full = story()
    capped = dataclasses.replace(full.runs[3], engine_max_batch=256)  # three lines, 30 cells
    drive(dataclasses.replace(full, runs=(*full.runs[:3], capped)), body, size=(120, 40))


@pytest.mark.parametrize("processes", [False, True])
def test_two_columns_keep_the_charts_readable_beside_a_tall_progress_panel(
        processes: bool) -> None:
    # the demo at 120x36 under evalmon run: one run, a progress panel of 17 rows, processes
    needs = layout.Needs(runs=4, progress=17, processes=processes)
    shown = frozenset(layout.PANEL_IDS) - layout.NOT_IN["columns"]
    rects = layout.tile(layout.layout_tree("columns", "runs", 120, 32, needs), 120, 32,
                        shown if processes else shown - {"processes"})
    assert rects["throughput"].height >= layout.CHARTS_MIN
    assert rects["progress"].height >= 11  # and the progress still has most of its rows


def test_a_short_engine_chart_labels_the_client_batch_line_with_its_own_value() -> None:
    async def body(pilot: Any, app: EvalmonApp, feed: StaticFeed) -> None:
        region = app.query_one("#engine").region
        assert region.height - 2 < 10  # a short chart: the demo's at 120x36
        rows = [screen_row(app, y, region.x, region.width) for y in range(region.y,
                                                                          region.bottom)]
        labels = [m.group(1) for row in rows if (m := re.match(r"│\s*(\d+)┤", row))]
        # three labels, each where its value is: never 64 beside the line at 128
        assert labels == ["256", "128", "0"], rows

    full = story()
    capped = dataclasses.replace(full.runs[3], engine_max_batch=256)
    drive(dataclasses.replace(full, runs=(*full.runs[:3], capped)), body, size=(120, 36))
