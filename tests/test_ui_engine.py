"""The engine panels adapt to the server's kind: vLLM/SGLang figures and chart, TGI timings,
Megatron's histogram. Real server logs (``tests/server_logs.py``) read through the state."""

from __future__ import annotations

import asyncio
import dataclasses
import io
from pathlib import Path
from typing import Any

from rich.console import Console

from evalmon.pipeline import StaticFeed, replay
from evalmon.state.model import Snapshot
from evalmon.ui.app import EvalmonApp
from evalmon.ui.panels.engine import EngineChart, EnginePanel, panel_rows, render_engine
from evalmon.ui.view import DashboardView
from tests.server_logs import MIXED, STATS_ONLY, write_logs
from tests.test_state_server import BUSY, EARLIER, TGI_CHAT, TGI_CONNECTED, TGI_OOM, read, scrape


def plain(renderable: Any, width: int = 80) -> str:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def snapshot_of(tmp_path: Path, logs: dict[str, tuple[str, str]]) -> Snapshot:
    return replay([str(p) for p in write_logs(tmp_path, logs)]).state.snapshot()


def test_vllm_panel_shows_the_log_figures_with_units(tmp_path: Path):
    snap = snapshot_of(tmp_path, {"vllm-6737": STATS_ONLY["vllm-6737"]})
    shown = plain(render_engine(DashboardView(snapshot=snap, selected_run="6737")))
    assert "vLLM  serving · 219 running, 768 waiting at the last statistics line" in shown
    assert "from the log (5 stats lines)" in shown
    row = next(line for line in shown.splitlines() if line.strip().startswith("waiting"))
    assert row.split() == ["waiting", "768", "768"]
    assert "KV cache" in shown and "100%" in shown and "gen tok/s" in shown
    assert "preempted" in shown


def test_sglang_panel_and_spec_decoding(tmp_path: Path):
    snap = snapshot_of(tmp_path, {"sglang-1612": STATS_ONLY["sglang-1612"],
                                  "vllm-93": MIXED["vllm-93"]})
    shown = plain(render_engine(DashboardView(snapshot=snap, selected_run="1612")))
    assert shown.startswith("SGLang  serving")
    assert "prefix hit" in shown and "12%" in shown
    shown = plain(render_engine(DashboardView(snapshot=snap, selected_run="93")))
    assert "spec accepted" in shown and "33%" in shown


def test_log_and_metrics_side_by_side_with_latency():
    state = read(
        "(APIServer pid=1) INFO 04-08 20:32:02 [api_server.py:573] Starting vLLM server on "
        "http://0.0.0.0:8080\n" + STATS_ONLY["vllm-50219"][1]
    )
    scrape(state, EARLIER, BUSY)
    shown = plain(render_engine(DashboardView(snapshot=state.snapshot(), selected_run="7")),
                  width=100)
    assert "from the log (5 stats lines) and /metrics (2 scrapes)" in shown
    assert "log last" in shown and "/metrics last" in shown
    assert "latency (/metrics)" in shown and "first token" in shown
    assert "of the requests finished in the 10s between two scrapes" in shown
    assert "log last" in shown and "/metrics last" in shown


def test_a_narrow_panel_keeps_the_last_values_of_each_source():
    state = read(
        "(APIServer pid=1) INFO 04-08 20:32:02 [api_server.py:573] Starting vLLM server on "
        "http://0.0.0.0:8080\n" + STATS_ONLY["vllm-50219"][1]
    )
    scrape(state, EARLIER, BUSY)
    view = DashboardView(snapshot=state.snapshot(), selected_run="7")
    shown = plain(render_engine(view, 38), width=38)
    lines = shown.splitlines()
    assert any(line.split() == ["log", "/metrics"] for line in lines)
    assert any(line.split() == ["running", "1", "128"] for line in lines)
    assert all(len(line.rstrip()) <= 38 and "…" not in line for line in lines)


def test_tgi_panel_shows_timings_and_the_oom_once():
    state = read("\n".join([TGI_CONNECTED, TGI_OOM, TGI_CHAT]) + "\n")
    snap = state.snapshot()
    shown = plain(render_engine(DashboardView(snapshot=snap, selected_run="7")), width=100)
    assert shown.startswith("TGI  serving")
    assert "from the log (1 served request)" in shown
    assert "1 failed: 1 oom" in shown
    assert "latency (log)" in shown and "end to end" in shown and "735 ms" in shown


def test_megatron_keeps_its_histogram(tmp_path: Path):
    state = read("[BATCHING DEBUG] run_mcore_engine called with 8 prompts\n" * 3)
    shown = plain(render_engine(DashboardView(snapshot=state.snapshot(), selected_run="7")))
    assert "3 engine calls" in shown
    run = state.snapshot().runs[0]
    assert run.kind == "megatron" and panel_rows(run) == 7


def drive(snapshot: Snapshot, size: tuple[int, int], check) -> None:
    app = EvalmonApp(StaticFeed(snapshot, now=1000.0), pump=False)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            app.pull()
            await pilot.pause()
            await pilot.pause()
            check(app)

    asyncio.run(main())


def test_the_dashboard_shows_a_vllm_log_alone(tmp_path: Path):
    snap = snapshot_of(tmp_path, {"vllm-43295": STATS_ONLY["vllm-43295"]})

    def check(app: EvalmonApp) -> None:
        panel = app.query_one("#histogram", EnginePanel)
        assert panel.border_title == "vLLM engine"
        assert "20 running, 23 waiting" in plain(panel.content, 120)
        chart = app.query_one("#engine", EngineChart)
        assert chart.border_title == "vLLM engine · requests"
        assert "running" in str(chart.border_subtitle) and "KV 98%" in str(chart.border_subtitle)

    drive(snap, (200, 50), check)


def test_the_chart_goes_back_to_engine_batches_for_megatron(tmp_path: Path):
    megatron = read("[BATCHING DEBUG] run_mcore_engine called with 8 prompts\n" * 3,
                    "logs/server-3.log")
    vllm = snapshot_of(tmp_path, {"vllm-43295": STATS_ONLY["vllm-43295"]})
    snap = dataclasses.replace(vllm, runs=(*megatron.snapshot().runs, *vllm.runs))

    def check(app: EvalmonApp) -> None:
        app.select_run("3")
        app.pull()
        chart = app.query_one("#engine", EngineChart)
        assert chart.border_title == "Engine batch sizes"

    drive(snap, (200, 50), check)


def test_the_vllm_charts_legend_fits_two_columns_and_drops_the_summary_not_the_legend(
        tmp_path: Path):
    from tests.test_ui_layout import bottom_border

    snap = snapshot_of(tmp_path, {"vllm-43295": STATS_ONLY["vllm-43295"]})

    def check(app: EvalmonApp) -> None:
        border = bottom_border(app, "#engine")
        assert "…" not in border and "running" in border and "waiting" in border, border
        assert "KV" in border, border  # the third line's legend, short when it must be

    drive(snap, (120, 40), check)
